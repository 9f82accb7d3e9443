// deploy-lint reads the deployment files with the same Go libraries Docker uses, so they are
// checked without a Docker engine (tools/helm-check.sh, tools/deploy.spec.ts):
//
//	deploy-lint compose <file>      compose-go (the loader of `docker compose`): compose-spec
//	                                schema, interpolation, merge keys, depends_on targets;
//	                                prints the normalised project as JSON
//	deploy-lint dockerfile <file> [ARG=value ...]
//	                                BuildKit's Dockerfile parser and the checks of
//	                                `docker build --check` (base images are not pulled: their
//	                                configuration is taken as empty); prints the stages as JSON
//
// Any error or lint warning exits 1.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
)

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: deploy-lint compose <file> | dockerfile <file> [ARG=value ...]"))
	}
	var err error
	switch os.Args[1] {
	case "compose":
		err = compose(os.Args[2])
	case "dockerfile":
		err = dockerfile(os.Args[2], os.Args[3:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func compose(file string) error {
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithName("emporia"), cli.WithNormalization(true))
	if err != nil {
		return err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = fmt.Println(string(out))
	return err
}

type command struct {
	Name string `json:"name"`
	Line int    `json:"line"`
	Code string `json:"code"`
}

type stage struct {
	Name     string    `json:"name"`
	Base     string    `json:"base"`
	Commands []command `json:"commands"`
}

// offline answers every base image with an empty linux/amd64 configuration.
type offline struct{}

func (offline) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, "", []byte(`{"architecture":"amd64","os":"linux","config":{}}`), nil
}

func dockerfile(file string, args []string) error {
	dt, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	buildArgs := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("build argument %q is not ARG=value", a)
		}
		buildArgs[k] = v
	}
	ctx := context.Background()
	src := llb.Local("dockerfile")
	def, err := src.Marshal(ctx)
	if err != nil {
		return err
	}
	sourceMap := llb.NewSourceMap(&src, file, "Dockerfile", dt)
	sourceMap.Definition = def
	results, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: buildArgs},
		MetaResolver: offline{},
		SourceMap:    sourceMap,
	})
	if err != nil {
		return err
	}
	if results.Error != nil {
		return fmt.Errorf("%s: %s", file, results.Error.Message)
	}
	for _, w := range results.Warnings {
		line := int32(0)
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = w.Location.Ranges[0].Start.Line
		}
		fmt.Fprintf(os.Stderr, "%s:%d: %s: %s\n", file, line, w.RuleName, w.Detail)
	}
	if len(results.Warnings) > 0 {
		return fmt.Errorf("%d Dockerfile problem(s)", len(results.Warnings))
	}
	parsed, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return err
	}
	stages, _, err := instructions.Parse(parsed.AST, nil)
	if err != nil {
		return err
	}
	out := make([]stage, 0, len(stages))
	for _, s := range stages {
		st := stage{Name: s.Name, Base: s.BaseName, Commands: []command{}}
		for _, c := range s.Commands {
			line := 0
			if loc := c.Location(); len(loc) > 0 {
				line = loc[0].Start.Line
			}
			st.Commands = append(st.Commands, command{Name: c.Name(), Line: line, Code: fmt.Sprint(c)})
		}
		out = append(out, st)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
