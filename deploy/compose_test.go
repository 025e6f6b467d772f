package deploy

import (
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type composeFile struct {
	Services map[string]struct {
		Build       any               `yaml:"build"`
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		Secrets     []string          `yaml:"secrets"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Networks map[string]*struct {
			IPv4 string `yaml:"ipv4_address"`
		} `yaml:"networks"`
	} `yaml:"services"`
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet string `yaml:"subnet"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

// TestComposeFile checks deploy/compose.yaml: valid YAML describing PostgreSQL, at least two
// Latchkey nodes that share one configuration and are reachable only through the proxy, and
// a proxy whose configuration names every node and trusts nothing else's forwarded headers.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose.yaml is not valid YAML of the expected shape: %v", err)
	}
	pg, ok := c.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") {
		t.Fatalf("no postgres service: %+v", pg)
	}
	proxy, ok := c.Services["caddy"]
	if !ok {
		t.Fatal("no caddy service")
	}

	var nodes []string
	for name, s := range c.Services {
		if slices.Equal(s.Command, []string{"serve"}) {
			nodes = append(nodes, name)
		}
	}
	slices.Sort(nodes)
	if len(nodes) < 2 {
		t.Fatalf("Latchkey nodes %v, want at least two", nodes)
	}
	first := c.Services[nodes[0]].Environment
	var proxyIP string
	for _, n := range proxy.Networks {
		if n != nil {
			proxyIP = n.IPv4
		}
	}
	for _, name := range nodes {
		s := c.Services[name]
		if s.Build == nil {
			t.Errorf("%s is not built from the Dockerfile", name)
		}
		env := s.Environment
		if !strings.HasPrefix(env["LATCHKEY_DATABASE"], "postgres://") || !strings.Contains(env["LATCHKEY_DATABASE"], "@postgres:5432/") {
			t.Errorf("%s: LATCHKEY_DATABASE %q is not the postgres service", name, env["LATCHKEY_DATABASE"])
		}
		if env["LATCHKEY_MODE"] != "production" || !strings.HasPrefix(env["LATCHKEY_PUBLIC_URL"], "https://") {
			t.Errorf("%s: mode %q, public URL %q; want production behind https", name, env["LATCHKEY_MODE"], env["LATCHKEY_PUBLIC_URL"])
		}
		// Nodes of one deployment need the same master key and database.
		for _, k := range []string{"LATCHKEY_DATABASE", "LATCHKEY_MASTER_KEY_FILE", "LATCHKEY_PUBLIC_URL", "LATCHKEY_TRUSTED_PROXIES"} {
			if env[k] != first[k] || env[k] == "" {
				t.Errorf("%s: %s is %q, %s has %q", name, k, env[k], nodes[0], first[k])
			}
		}
		if !slices.Contains(s.Secrets, "master_key") || !strings.HasSuffix(env["LATCHKEY_MASTER_KEY_FILE"], "/master_key") {
			t.Errorf("%s does not read the master key from the master_key secret", name)
		}
		if env["LATCHKEY_TRUSTED_PROXIES"] != proxyIP || proxyIP == "" {
			t.Errorf("%s trusts %q as proxy; the proxy is at %q", name, env["LATCHKEY_TRUSTED_PROXIES"], proxyIP)
		}
		if len(s.Ports) != 0 {
			t.Errorf("%s publishes ports %v: clients could reach it around the proxy", name, s.Ports)
		}
		if s.DependsOn["migrate"].Condition != "service_completed_successfully" {
			t.Errorf("%s does not wait for the migration", name)
		}
		if _, ok := proxy.DependsOn[name]; !ok {
			t.Errorf("the proxy does not wait for %s", name)
		}
	}
	if m := c.Services["migrate"]; !slices.Equal(m.Command, []string{"migrate"}) || m.DependsOn["postgres"].Condition != "service_healthy" {
		t.Errorf("migrate service: %+v", m)
	}
	ip, err := netip.ParseAddr(proxyIP)
	if err != nil {
		t.Fatalf("proxy address %q: %v", proxyIP, err)
	}
	var inSubnet bool
	for _, n := range c.Networks {
		for _, cfg := range n.IPAM.Config {
			if p, err := netip.ParsePrefix(cfg.Subnet); err == nil && p.Contains(ip) {
				inSubnet = true
			}
		}
	}
	if !inSubnet {
		t.Errorf("the proxy's address %s is in no declared subnet", ip)
	}
	if f := c.Secrets["master_key"].File; f == "" {
		t.Error("the master_key secret names no file")
	}

	// The proxy's configuration: mounted, naming every node on its port, checking readiness.
	var caddyfile string
	for _, v := range proxy.Volumes {
		if src, dst, _ := strings.Cut(v, ":"); strings.HasPrefix(dst, "/etc/caddy/Caddyfile") {
			caddyfile = src
		}
	}
	if caddyfile == "" {
		t.Fatal("the caddy service mounts no Caddyfile")
	}
	conf, err := os.ReadFile(caddyfile)
	if err != nil {
		t.Fatal(err)
	}
	var upstreams []string
	for _, line := range strings.Split(string(conf), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "reverse_proxy" {
			upstreams = append(upstreams, f[1:]...)
		}
	}
	for _, name := range nodes {
		if !slices.Contains(upstreams, name+":8080") {
			t.Errorf("the Caddyfile's reverse_proxy %v does not name %s:8080", upstreams, name)
		}
	}
	if !regexp.MustCompile(`(?m)^\s*health_uri /readyz\s*$`).Match(conf) {
		t.Error("the Caddyfile does not check /readyz")
	}

	// Every variable compose insists on is in the example environment.
	example, err := os.ReadFile("env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+):\?`).FindAllStringSubmatch(string(raw), -1) {
		if !regexp.MustCompile(`(?m)^` + m[1] + `=`).Match(example) {
			t.Errorf("compose.yaml requires %s, which env.example does not set", m[1])
		}
	}
}
