package main

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
)

// lintProblems runs BuildKit's build checks (what `docker build --check` reports) by converting
// the Dockerfile as a build would, every stage, without a daemon.
func lintProblems(content []byte) []string {
	var problems []string
	_, err := dockerfile2llb.Dockerfile2LLB(context.Background(), content, dockerfile2llb.ConvertOpt{
		AllStages:    true,
		MetaResolver: offlineImages{},
		Warn: func(rule, _, _, msg string, location []parser.Range) {
			line := 0
			if len(location) > 0 {
				line = location[0].Start.Line
			}
			problems = append(problems, fmt.Sprintf("line %d: %s (BuildKit check %s)", line, msg, rule))
		},
	})
	if err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// offlineImages answers BuildKit's questions about base images with an empty Linux image,
// so the checks run without asking a registry (this tool never touches the network).
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	config := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}`)
	return ref, digest.FromBytes(config), config, nil
}
