// Asks before a form with data-confirm is sent ("Update timestamp"); without script the form still works.
(() => {
  'use strict';
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
})();
