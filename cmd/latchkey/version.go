package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// version, when set at build time with -ldflags "-X main.version=v1.2.3", names the release;
// otherwise the module version the go command recorded in the binary does. Builds from a
// source tree without tags (and the Docker build, whose context has no .git) use it.
var version string

// buildInfo is what a binary can say about where it came from.
type buildInfo struct {
	Version  string // module version: a tag, a pseudo-version, or "devel"
	Revision string // VCS commit, when the build was made in a checkout
	Time     string // commit time, RFC 3339
	Modified bool   // the checkout had uncommitted changes
	Go       string // Go toolchain version
}

// readBuildInfo reads the running binary's build information.
func readBuildInfo() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, bi)
}

// describeBuild combines the -X version with the go command's build information (nil when the
// binary carries none).
func describeBuild(stamped string, bi *debug.BuildInfo) buildInfo {
	out := buildInfo{Version: stamped}
	if bi != nil {
		out.Go = bi.GoVersion
		if out.Version == "" {
			out.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				out.Revision = s.Value
			case "vcs.time":
				out.Time = s.Value
			case "vcs.modified":
				out.Modified = s.Value == "true"
			}
		}
	}
	if out.Version == "" || out.Version == "(devel)" {
		out.Version = "devel"
	}
	return out
}

// String is the one line `latchkey version` prints, for instance
// "latchkey v1.4.0 revision 3f2a... (2026-01-05T10:00:00Z) go1.26.8".
func (b buildInfo) String() string {
	var sb strings.Builder
	sb.WriteString("latchkey " + b.Version)
	if b.Revision != "" {
		sb.WriteString(" revision " + b.Revision)
		var notes []string
		if b.Time != "" {
			notes = append(notes, b.Time)
		}
		if b.Modified {
			notes = append(notes, "modified")
		}
		if len(notes) > 0 {
			sb.WriteString(" (" + strings.Join(notes, ", ") + ")")
		}
	}
	if b.Go != "" {
		sb.WriteString(" " + b.Go)
	}
	return sb.String()
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "Print the version, the VCS revision the binary was built from, and the Go version.", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, readBuildInfo())
	return nil
}
