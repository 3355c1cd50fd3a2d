// Command dockerfile-check reads Dockerfiles with BuildKit's own parser and
// converter (what `docker build` runs), offline, so a syntax error or any of
// BuildKit's build checks (`docker build --check`: JSONArgsRecommended,
// UndefinedVar, WorkdirRelativePath, ...) fails, and then applies this
// project's rules:
//
//   - every base image is pinned to a full version (x.y.z) or a digest;
//   - with -service, the rules of a service image (rules.go): several stages,
//     npm ci in the build stage and npm ci --omit=dev in the final one, a
//     non-root USER, an exec-form CMD and a HEALTHCHECK.
//
// Usage:
//
//	dockerfile-check [-service] [-json] FILE...
//	dockerfile-check -context DIR
//
// -json writes each file's stages and instructions as JSON (for replaying
// them natively) instead of the PASS lines; -context lists the files of a
// build context that its .dockerignore lets through.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func main() {
	service := flag.Bool("service", false, "also apply the rules of a service image")
	printJSON := flag.Bool("json", false, "write the parsed stages as JSON")
	context := flag.String("context", "", "list the files of this build context as JSON")
	flag.Parse()
	if *context != "" {
		if err := printContext(*context); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-check [-service] [-json] FILE...")
		os.Exit(2)
	}

	failed := false
	parsed := map[string][]stage{}
	for _, file := range flag.Args() {
		stages, problems := check(file, *service)
		if len(problems) > 0 {
			failed = true
			fmt.Fprintf(os.Stderr, "FAIL %s:\n", file)
			for _, problem := range problems {
				fmt.Fprintf(os.Stderr, "  - %s\n", problem)
			}
			continue
		}
		parsed[file] = stages
		if !*printJSON {
			fmt.Printf("PASS %s\n", file)
		}
	}
	if failed {
		os.Exit(1)
	}
	if *printJSON {
		out, _ := json.MarshalIndent(parsed, "", "  ")
		os.Stdout.Write(append(out, '\n'))
	}
}

func check(file string, service bool) ([]stage, []string) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, []string{err.Error()}
	}
	result, err := parser.Parse(bytes.NewReader(content))
	if err != nil {
		return nil, []string{err.Error()}
	}
	var problems []string
	for _, w := range result.Warnings {
		problems = append(problems, fmt.Sprintf("line %d: %s", w.Location.Start.Line, w.Short))
	}
	stages, _, err := instructions.Parse(result.AST, nil)
	if err != nil {
		return nil, append(problems, err.Error())
	}
	problems = append(problems, lintProblems(content)...)
	problems = append(problems, pinnedBaseProblems(stages)...)
	if service {
		problems = append(problems, serviceProblems(stages)...)
	}
	return describe(stages), problems
}

// A tag with a full version (node:24.11.1-bookworm-slim) or a digest; "latest" and "24-slim" move under you.
var pinned = regexp.MustCompile(`(:[^/@]*\d+\.\d+\.\d+[^/@]*|@sha256:[0-9a-f]{64})$`)

func pinnedBaseProblems(stages []instructions.Stage) []string {
	var problems []string
	names := map[string]bool{}
	for _, s := range stages {
		base := strings.ToLower(s.BaseName)
		if !names[base] && base != "scratch" && !pinned.MatchString(s.BaseName) {
			problems = append(problems, fmt.Sprintf("FROM %s: pin the base image to a full version tag (x.y.z) or a digest", s.BaseName))
		}
		if s.Name != "" {
			names[strings.ToLower(s.Name)] = true
		}
	}
	return problems
}
