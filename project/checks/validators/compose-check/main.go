// Command compose-check validates Compose files offline with compose-go, the
// loader Docker Compose itself is built on: the Compose Specification's JSON
// schema (a misspelled key fails), variable interpolation (a ${VAR:?message}
// left unset fails) and the consistency checks (depends_on, volumes and
// networks must name things that exist).
//
// With -swarm it also applies what `docker stack deploy` needs: an image on
// every service, none of the options swarm ignores (build, container_name,
// restart, ...), depends_on as a plain list, and named volumes rather than
// paths relative to a compose file that is not on the swarm's nodes.
//
// Usage:
//
//	compose-check [-swarm] [-print] FILE
//
// Interpolation takes variables from the process environment, as docker
// compose does. -print writes the loaded, normalized project as JSON.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// Service options that `docker stack deploy` does not support (it ignores or rejects them).
var swarmUnsupported = []string{
	"build", "cgroup_parent", "container_name", "devices", "external_links",
	"links", "network_mode", "restart", "security_opt", "tmpfs", "userns_mode",
}

func main() {
	swarm := flag.Bool("swarm", false, "also apply the rules of docker stack deploy")
	printJSON := flag.Bool("print", false, "write the loaded project as JSON on stdout")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-swarm] [-print] FILE")
		os.Exit(2)
	}
	file := flag.Arg(0)

	project, err := load(file)
	if err != nil {
		// The schema says "<path> false schema" for a key it does not know.
		fail(file, []string{strings.ReplaceAll(err.Error(), " false schema", ": not a key Compose knows here (misspelled?)")})
	}
	problems := buildProblems(project)
	if *swarm {
		raw, err := os.ReadFile(file)
		if err != nil {
			fail(file, []string{err.Error()})
		}
		problems = append(problems, swarmProblems(raw)...)
	}
	if len(problems) > 0 {
		fail(file, problems)
	}
	if *printJSON {
		out, err := project.MarshalJSON()
		if err != nil {
			fail(file, []string{err.Error()})
		}
		os.Stdout.Write(append(out, '\n'))
		return
	}
	fmt.Printf("PASS %s: %d services match the Compose Specification\n", file, len(project.Services))
}

func load(file string) (*types.Project, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: types.NewMapping(os.Environ()),
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("check", true)
	})
}

// buildProblems checks what the schema cannot: that each build names a Dockerfile that exists.
func buildProblems(project *types.Project) []string {
	var problems []string
	for _, name := range sortedNames(project.Services) {
		build := project.Services[name].Build
		if build == nil || build.Dockerfile == "" {
			continue
		}
		dockerfile := build.Dockerfile
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(build.Context, dockerfile)
		}
		if _, err := os.Stat(dockerfile); err != nil {
			problems = append(problems, fmt.Sprintf("services.%s.build: dockerfile %s does not exist", name, dockerfile))
		}
	}
	return problems
}

func swarmProblems(raw []byte) []string {
	var doc struct {
		Services map[string]map[string]any `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, name := range sortedNames(doc.Services) {
		service := doc.Services[name]
		at := "services." + name
		if image, _ := service["image"].(string); strings.TrimSpace(image) == "" {
			problems = append(problems, at+": swarm needs an image (it never builds one)")
		}
		for _, option := range swarmUnsupported {
			if _, ok := service[option]; ok {
				problems = append(problems, fmt.Sprintf("%s.%s: not supported by docker stack deploy", at, option))
			}
		}
		if dependsOn, ok := service["depends_on"]; ok {
			if _, isList := dependsOn.([]any); !isList {
				problems = append(problems, at+".depends_on: must be a list of service names in a swarm file")
			}
		}
		volumes, _ := service["volumes"].([]any)
		for _, volume := range volumes {
			if short, ok := volume.(string); ok && (strings.HasPrefix(short, ".") || strings.HasPrefix(short, "~")) {
				problems = append(problems, fmt.Sprintf("%s.volumes: %q is a path on one machine; use a named volume", at, short))
			}
		}
	}
	return problems
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func fail(file string, problems []string) {
	fmt.Fprintf(os.Stderr, "FAIL %s:\n", file)
	for _, problem := range problems {
		fmt.Fprintf(os.Stderr, "  - %s\n", problem)
	}
	os.Exit(1)
}
