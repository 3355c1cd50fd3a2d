/** The user the authentication service returns; the broker passes it on untouched. */
export interface User {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  active: number;
  created_at: string;
  updated_at: string;
}
