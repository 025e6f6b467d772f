package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// TenantScaleScenarios are the scenarios a tenant-scale run repeats at each tenant count: the
// two whose cost must not depend on how many tenants the deployment holds.
var TenantScaleScenarios = []string{"client-credentials", "jwks"}

// JWKSStats describe the published key set at one tenant count.
type JWKSStats struct {
	Tenants int `json:"tenants"`
	Keys    int `json:"jwks_keys"`
	// Bytes is the size of the document the server served.
	Bytes int `json:"jwks_bytes"`
	// BuildMicros is the median time a node takes to build its key set from nothing: one read
	// of every stored key, parsing, and serialising the document. A node does it when its key
	// cache expires or a key changes, not per request.
	BuildMicros float64 `json:"jwks_build_us"`
}

// TenantScaleStep is one tenant count: its key set and the scenarios run at it.
type TenantScaleStep struct {
	JWKS   JWKSStats `json:"jwks"`
	Report Report    `json:"report"`
}

// TenantScaleReport compares token issuance and JWKS serving at a small tenant count and at a
// large one, in the same run against the same server.
type TenantScaleReport struct {
	Steps []TenantScaleStep `json:"steps"`
}

// WriteJSON writes the report as one indented JSON object.
func (r TenantScaleReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes one row per tenant count and scenario.
func (r TenantScaleReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tenants\tjwks keys\tjwks bytes\tjwks build ms\tscenario\treq/s\tp50 ms\tp99 ms\terrors\t")
	for _, s := range r.Steps {
		for _, sc := range s.Report.Scenarios {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%.2f\t%s\t%.0f\t%s\t%s\t%d\t\n", s.JWKS.Tenants, s.JWKS.Keys, s.JWKS.Bytes,
				s.JWKS.BuildMicros/1000, sc.Name, sc.RequestsPerSec, ms(sc.Latency.P50), ms(sc.Latency.P99), sc.Errors)
		}
	}
	return tw.Flush()
}
