// Command k8s-check validates Kubernetes manifests offline. Each document is
// decoded strictly into the API's own Go types (k8s.io/api), the way the API
// server's strict field validation does: an unknown or misspelled field, a
// duplicate field, a wrong type or a bad quantity fails. It then checks what
// only the whole set can tell (see references.go): selectors that select
// something, ports and Secrets that exist, names that are valid DNS labels.
//
// Usage:
//
//	k8s-check [-print] FILE...
//
// -print writes {"objects": [...], "env": {deployment: {NAME: value}}} as
// JSON, with env values taken from Secrets where a container refers to one.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type object struct {
	File   string         `json:"file"`
	Kind   string         `json:"kind"`
	Name   string         `json:"name"`
	Object runtime.Object `json:"object"`
}

func main() {
	printJSON := flag.Bool("print", false, "write the decoded objects and each deployment's environment as JSON")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: k8s-check [-print] FILE...")
		os.Exit(2)
	}

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, networkingv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()

	var objects []object
	var problems []string
	for _, file := range flag.Args() {
		decoded, errs := decodeFile(decoder, file)
		objects = append(objects, decoded...)
		problems = append(problems, errs...)
	}
	set := newObjectSet(objects)
	problems = append(problems, set.problems()...)
	if len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL kubernetes manifests:")
		for _, problem := range problems {
			fmt.Fprintf(os.Stderr, "  - %s\n", problem)
		}
		os.Exit(1)
	}

	if *printJSON {
		out, err := json.MarshalIndent(map[string]any{"objects": objects, "env": set.environments()}, "", "  ")
		if err != nil {
			panic(err)
		}
		os.Stdout.Write(append(out, '\n'))
		return
	}
	fmt.Printf("PASS %d objects in %d files decode strictly as Kubernetes API objects\n", len(objects), flag.NArg())
}

func decodeFile(decoder runtime.Decoder, file string) ([]object, []string) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, []string{err.Error()}
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
	var objects []object
	var problems []string
	for index := 0; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return objects, append(problems, fmt.Sprintf("%s: %v", file, err))
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, gvk, err := decoder.Decode(doc, nil, nil)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s (document %d): %v", file, index+1, err))
			continue
		}
		meta, ok := obj.(interface{ GetName() string })
		if !ok || meta.GetName() == "" {
			problems = append(problems, fmt.Sprintf("%s (document %d): %s has no metadata.name", file, index+1, gvk.Kind))
			continue
		}
		objects = append(objects, object{File: file, Kind: gvk.Kind, Name: meta.GetName(), Object: obj})
	}
	return objects, problems
}

// stripComments drops comment-only lines so a document of comments is not taken for an object.
func stripComments(doc []byte) []byte {
	var kept [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			kept = append(kept, line)
		}
	}
	return bytes.Join(kept, []byte("\n"))
}
