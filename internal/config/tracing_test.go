package config

import (
	"strings"
	"testing"
)

func TestTracingSettings(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		on      bool
		url     string
		ratio   float64
		problem string
	}{
		{name: "off by default", ratio: 1},
		{name: "base URL", env: map[string]string{"LATCHKEY_OTLP_ENDPOINT": "http://collector:4318/"}, on: true, url: "http://collector:4318/v1/traces", ratio: 1},
		{name: "flag", args: []string{"-otlp-endpoint", "https://otel.example.com/base", "-trace-sample-ratio", "0.25"}, on: true, url: "https://otel.example.com/base/v1/traces", ratio: 0.25},
		{name: "standard variable", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, on: true, ratio: 1},
		{name: "standard traces variable", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, on: true, ratio: 1},
		{name: "ours wins", env: map[string]string{"LATCHKEY_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://b:4318"}, on: true, url: "http://a:4318/v1/traces", ratio: 1},
		{name: "not a URL", env: map[string]string{"LATCHKEY_OTLP_ENDPOINT": "collector:4318"}, problem: "OTLP endpoint"},
		{name: "ratio above 1", env: map[string]string{"LATCHKEY_TRACE_SAMPLE_RATIO": "1.5"}, problem: "trace sample ratio"},
		{name: "ratio not a number", env: map[string]string{"LATCHKEY_TRACE_SAMPLE_RATIO": "half"}, problem: "trace sample ratio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := load(t, c.env, c.args...)
			if c.problem != "" {
				if err == nil || !strings.Contains(err.Error(), c.problem) {
					t.Fatalf("error %v, want one about %s", err, c.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			on, url := cfg.Tracing()
			if on != c.on || url != c.url || cfg.SampleRatio() != c.ratio {
				t.Fatalf("tracing %v %q ratio %v, want %v %q %v", on, url, cfg.SampleRatio(), c.on, c.url, c.ratio)
			}
		})
	}
}
