package main

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// objectSet holds every decoded object, to check what one object alone cannot tell.
type objectSet struct {
	all         []object
	deployments map[string]*appsv1.Deployment
	services    map[string]*corev1.Service
	secrets     map[string]*corev1.Secret
	ingresses   map[string]*networkingv1.Ingress
	claims      map[string]*corev1.PersistentVolumeClaim
}

func newObjectSet(objects []object) *objectSet {
	set := &objectSet{
		all:         objects,
		deployments: map[string]*appsv1.Deployment{},
		services:    map[string]*corev1.Service{},
		secrets:     map[string]*corev1.Secret{},
		ingresses:   map[string]*networkingv1.Ingress{},
		claims:      map[string]*corev1.PersistentVolumeClaim{},
	}
	for _, o := range objects {
		switch typed := o.Object.(type) {
		case *appsv1.Deployment:
			set.deployments[o.Name] = typed
		case *corev1.Service:
			set.services[o.Name] = typed
		case *corev1.Secret:
			set.secrets[o.Name] = typed
		case *networkingv1.Ingress:
			set.ingresses[o.Name] = typed
		case *corev1.PersistentVolumeClaim:
			set.claims[o.Name] = typed
		}
	}
	return set
}

func (s *objectSet) problems() []string {
	var problems []string
	seen := map[string]string{}
	for _, o := range s.all {
		key := o.Kind + "/" + o.Name
		if first, dup := seen[key]; dup {
			problems = append(problems, fmt.Sprintf("%s is defined twice (%s and %s)", key, first, o.File))
		}
		seen[key] = o.File
		for _, msg := range validation.IsDNS1123Subdomain(o.Name) {
			problems = append(problems, fmt.Sprintf("%s: name %s", key, msg))
		}
	}
	for _, name := range sorted(s.deployments) {
		problems = append(problems, s.deploymentProblems(name, s.deployments[name])...)
	}
	for _, name := range sorted(s.services) {
		problems = append(problems, s.serviceProblems(name, s.services[name])...)
	}
	for _, name := range sorted(s.ingresses) {
		problems = append(problems, s.ingressProblems(name, s.ingresses[name])...)
	}
	return problems
}

func (s *objectSet) deploymentProblems(name string, d *appsv1.Deployment) []string {
	at := "Deployment/" + name
	var problems []string
	if d.Spec.Selector == nil {
		return []string{at + ": spec.selector is required"}
	}
	selector, err := metaSelector(d.Spec.Selector.MatchLabels)
	if err != nil || !selector.Matches(labels.Set(d.Spec.Template.Labels)) {
		problems = append(problems, at+": spec.selector does not match spec.template.metadata.labels")
	}
	if len(d.Spec.Template.Spec.Containers) == 0 {
		problems = append(problems, at+": has no containers")
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		cat := fmt.Sprintf("%s container %s", at, c.Name)
		for _, probe := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe, c.StartupProbe} {
			if port, ok := probePort(probe); ok && !containerHasPort(c, port) {
				problems = append(problems, fmt.Sprintf("%s: a probe uses port %s, which the container does not declare", cat, port.String()))
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.SecretKeyRef
			if _, ok := secretValue(s.secrets[ref.Name], ref.Key); !ok {
				problems = append(problems, fmt.Sprintf("%s: env %s refers to Secret %s key %s, which is not defined", cat, e.Name, ref.Name, ref.Key))
			}
		}
	}
	volumes := map[string]bool{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		volumes[v.Name] = true
		if v.PersistentVolumeClaim != nil && s.claims[v.PersistentVolumeClaim.ClaimName] == nil {
			problems = append(problems, fmt.Sprintf("%s: volume %s uses PersistentVolumeClaim %s, which is not defined", at, v.Name, v.PersistentVolumeClaim.ClaimName))
		}
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				problems = append(problems, fmt.Sprintf("%s container %s: mounts volume %s, which the pod does not define", at, c.Name, m.Name))
			}
		}
	}
	return problems
}

func (s *objectSet) serviceProblems(name string, svc *corev1.Service) []string {
	at := "Service/" + name
	var problems []string
	for _, msg := range validation.IsDNS1035Label(name) {
		problems = append(problems, fmt.Sprintf("%s: a Service name must be a DNS label: %s", at, msg))
	}
	selector, err := metaSelector(svc.Spec.Selector)
	if err != nil || len(svc.Spec.Selector) == 0 {
		return append(problems, at+": needs a selector")
	}
	var target *appsv1.Deployment
	for _, dname := range sorted(s.deployments) {
		if selector.Matches(labels.Set(s.deployments[dname].Spec.Template.Labels)) {
			target = s.deployments[dname]
			break
		}
	}
	if target == nil {
		return append(problems, at+": its selector matches no Deployment's pods")
	}
	for _, port := range svc.Spec.Ports {
		targetPort := port.TargetPort
		if targetPort.Type == intstr.Int && targetPort.IntVal == 0 {
			targetPort = intstr.FromInt32(port.Port)
		}
		if !podHasPort(target.Spec.Template.Spec, targetPort) {
			problems = append(problems, fmt.Sprintf("%s: port %d targets %s, which no container of Deployment/%s declares", at, port.Port, targetPort.String(), target.Name))
		}
	}
	return problems
}

func (s *objectSet) ingressProblems(name string, ing *networkingv1.Ingress) []string {
	at := "Ingress/" + name
	var problems []string
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for _, path := range rule.HTTP.Paths {
			backend := path.Backend.Service
			if backend == nil {
				continue
			}
			svc := s.services[backend.Name]
			if svc == nil {
				problems = append(problems, fmt.Sprintf("%s: host %s sends %s to Service %s, which is not defined", at, rule.Host, path.Path, backend.Name))
				continue
			}
			if !serviceHasPort(svc, backend.Port) {
				problems = append(problems, fmt.Sprintf("%s: host %s uses a port Service %s does not have", at, rule.Host, backend.Name))
			}
		}
	}
	return problems
}

// environments gives each Deployment's environment (its first container), Secret references resolved.
func (s *objectSet) environments() map[string]map[string]string {
	envs := map[string]map[string]string{}
	for name, d := range s.deployments {
		env := map[string]string{}
		if containers := d.Spec.Template.Spec.Containers; len(containers) > 0 {
			for _, e := range containers[0].Env {
				switch {
				case e.ValueFrom == nil:
					env[e.Name] = e.Value
				case e.ValueFrom.SecretKeyRef != nil:
					env[e.Name], _ = secretValue(s.secrets[e.ValueFrom.SecretKeyRef.Name], e.ValueFrom.SecretKeyRef.Key)
				default:
					env[e.Name] = "(set at run time)"
				}
			}
		}
		envs[name] = env
	}
	return envs
}

func metaSelector(matchLabels map[string]string) (labels.Selector, error) {
	if len(matchLabels) == 0 {
		return nil, fmt.Errorf("empty selector")
	}
	return labels.SelectorFromValidatedSet(matchLabels), nil
}

func secretValue(secret *corev1.Secret, key string) (string, bool) {
	if secret == nil {
		return "", false
	}
	if value, ok := secret.StringData[key]; ok {
		return value, true
	}
	value, ok := secret.Data[key]
	return string(value), ok
}

func probePort(probe *corev1.Probe) (intstr.IntOrString, bool) {
	switch {
	case probe == nil:
		return intstr.IntOrString{}, false
	case probe.HTTPGet != nil:
		return probe.HTTPGet.Port, true
	case probe.TCPSocket != nil:
		return probe.TCPSocket.Port, true
	}
	return intstr.IntOrString{}, false
}

func containerHasPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

func podHasPort(pod corev1.PodSpec, port intstr.IntOrString) bool {
	for _, c := range pod.Containers {
		if containerHasPort(c, port) {
			return true
		}
	}
	return false
}

func serviceHasPort(svc *corev1.Service, port networkingv1.ServiceBackendPort) bool {
	for _, p := range svc.Spec.Ports {
		if (port.Name != "" && p.Name == port.Name) || (port.Name == "" && p.Port == port.Number) {
			return true
		}
	}
	return false
}

func sorted[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
