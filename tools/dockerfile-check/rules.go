package main

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// serviceProblems applies the conventions of a service image (see conventions.md, "Containers").
func serviceProblems(stages []instructions.Stage) []string {
	if len(stages) < 2 {
		return []string{"a service image is multi-stage: build in one stage, run from a slim one"}
	}
	var problems []string
	final := stages[len(stages)-1]
	earlier := map[string]bool{}
	for i, s := range stages[:len(stages)-1] {
		earlier[strings.ToLower(s.Name)] = true
		earlier[fmt.Sprint(i)] = true
	}
	if earlier[strings.ToLower(final.BaseName)] {
		problems = append(problems, "the final stage starts FROM an earlier stage; start it from the slim base image so build tools and dev dependencies stay behind")
	}

	if !anyRun(stages[:len(stages)-1], func(cmd string) bool { return strings.Contains(cmd, "npm ci") }) {
		problems = append(problems, "the build stage installs with npm ci (the lock file, exactly)")
	}
	if !anyRun([]instructions.Stage{final}, func(cmd string) bool {
		return strings.Contains(cmd, "npm ci") && strings.Contains(cmd, "--omit=dev")
	}) {
		problems = append(problems, "the final stage installs production dependencies only: npm ci --omit=dev")
	}
	for _, s := range stages {
		for _, cmd := range runs(s) {
			if strings.Contains(cmd, "npm ci") && !strings.Contains(cmd, "-w ") && !strings.Contains(cmd, "--workspace") {
				problems = append(problems, fmt.Sprintf("%q installs every workspace; name this service's and the toolkit's with -w", cmd))
			}
		}
	}

	copiesBuildOutput := false
	var user *instructions.UserCommand
	var cmd *instructions.CmdCommand
	var health *instructions.HealthCheckCommand
	for _, c := range final.Commands {
		switch typed := c.(type) {
		case *instructions.CopyCommand:
			copiesBuildOutput = copiesBuildOutput || earlier[strings.ToLower(typed.From)]
		case *instructions.UserCommand:
			user = typed
		case *instructions.CmdCommand:
			cmd = typed
		case *instructions.HealthCheckCommand:
			health = typed
		case *instructions.EntrypointCommand:
			if typed.PrependShell {
				problems = append(problems, "ENTRYPOINT must be exec form, or node is not PID 1 and never sees SIGTERM")
			}
		}
	}
	if !copiesBuildOutput {
		problems = append(problems, "the final stage copies nothing from the build stage (COPY --from=<stage>)")
	}
	if user == nil {
		problems = append(problems, "the final stage runs as root: add USER node")
	} else if name := strings.SplitN(user.User, ":", 2)[0]; name == "root" || name == "0" {
		problems = append(problems, fmt.Sprintf("USER %s is root: run as node", user.User))
	}
	switch {
	case cmd == nil:
		problems = append(problems, "the final stage has no CMD")
	case cmd.PrependShell:
		problems = append(problems, fmt.Sprintf("CMD %s is shell form: write it as [\"node\", ...] so node is PID 1 and receives SIGTERM", strings.Join(cmd.CmdLine, " ")))
	case len(cmd.CmdLine) == 0 || cmd.CmdLine[0] != "node":
		problems = append(problems, fmt.Sprintf("CMD %v must start node directly (no npm, no shell) so signals reach it", cmd.CmdLine))
	}
	if health == nil || health.Health == nil || len(health.Health.Test) == 0 || health.Health.Test[0] == "NONE" {
		problems = append(problems, "the final stage has no HEALTHCHECK on the service's health endpoint")
	}
	return problems
}

func anyRun(stages []instructions.Stage, match func(string) bool) bool {
	for _, s := range stages {
		for _, cmd := range runs(s) {
			if match(cmd) {
				return true
			}
		}
	}
	return false
}

func runs(s instructions.Stage) []string {
	var cmds []string
	for _, c := range s.Commands {
		if run, ok := c.(*instructions.RunCommand); ok {
			cmds = append(cmds, strings.Join(run.CmdLine, " "))
		}
	}
	return cmds
}

// stage and command are the JSON shape of a Dockerfile, for replaying it natively.
type stage struct {
	Name     string    `json:"name"`
	Base     string    `json:"base"`
	Commands []command `json:"commands"`
}

type command struct {
	Kind    string            `json:"kind"`
	Source  string            `json:"source"`
	From    string            `json:"from,omitempty"`
	Sources []string          `json:"sources,omitempty"`
	Dest    string            `json:"dest,omitempty"`
	Args    []string          `json:"args,omitempty"`
	Shell   bool              `json:"shell"`
	Env     map[string]string `json:"env,omitempty"`
	Path    string            `json:"path,omitempty"`
}

func describe(stages []instructions.Stage) []stage {
	described := make([]stage, 0, len(stages))
	for _, s := range stages {
		out := stage{Name: s.Name, Base: s.BaseName}
		for _, c := range s.Commands {
			cmd := command{Kind: strings.ToUpper(c.Name()), Source: fmt.Sprint(c)}
			switch typed := c.(type) {
			case *instructions.CopyCommand:
				cmd.From, cmd.Sources, cmd.Dest = typed.From, typed.SourcePaths, typed.DestPath
			case *instructions.RunCommand:
				cmd.Args, cmd.Shell = typed.CmdLine, typed.PrependShell
			case *instructions.CmdCommand:
				cmd.Args, cmd.Shell = typed.CmdLine, typed.PrependShell
			case *instructions.WorkdirCommand:
				cmd.Path = typed.Path
			case *instructions.UserCommand:
				cmd.Path = typed.User
			case *instructions.EnvCommand:
				cmd.Env = map[string]string{}
				for _, kv := range typed.Env {
					cmd.Env[kv.Key] = kv.Value
				}
			case *instructions.HealthCheckCommand:
				cmd.Args = typed.Health.Test
			}
			out.Commands = append(out.Commands, cmd)
		}
		described = append(described, out)
	}
	return described
}
