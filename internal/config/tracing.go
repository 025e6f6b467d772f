package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// readOTelEnv notes whether the standard OpenTelemetry variables name a traces endpoint. The
// exporter reads them itself; the configuration only needs to know that tracing is on.
func (c *Config) readOTelEnv(getenv func(string) string) {
	c.otlpStandardEnv = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != ""
}

// Tracing reports whether spans are exported and where: tracesURL is the full traces URL under
// OTLPEndpoint, or empty when the standard OTEL_EXPORTER_OTLP_* variables name the endpoint.
func (c *Config) Tracing() (on bool, tracesURL string) {
	if c.OTLPEndpoint != "" {
		return true, strings.TrimSuffix(c.OTLPEndpoint, "/") + "/v1/traces"
	}
	return c.otlpStandardEnv, ""
}

// SampleRatio is TraceSampleRatio as a number (validated by Problems).
func (c *Config) SampleRatio() float64 {
	r, _ := strconv.ParseFloat(strings.TrimSpace(c.TraceSampleRatio), 64)
	return r
}

func (c *Config) tracingProblems() []string {
	var p []string
	if c.OTLPEndpoint != "" {
		if u, err := url.Parse(c.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			p = append(p, fmt.Sprintf("OTLP endpoint must be an http(s) base URL such as http://collector:4318, not %q", c.OTLPEndpoint))
		}
	}
	if r, err := strconv.ParseFloat(strings.TrimSpace(c.TraceSampleRatio), 64); err != nil || r < 0 || r > 1 {
		p = append(p, fmt.Sprintf("trace sample ratio must be a number from 0 to 1, not %q", c.TraceSampleRatio))
	}
	return p
}
