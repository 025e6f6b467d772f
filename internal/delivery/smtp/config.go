package smtp

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TLS modes.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS)
	TLSNone     = "none"     // no encryption; credentials only to a loopback host
)

// DefaultTimeout bounds each SMTP command when the caller's context allows longer.
const DefaultTimeout = 30 * time.Second

// Config configures a Sender.
type Config struct {
	Host     string
	Port     int
	Username string // when set, SMTP AUTH is required
	Password string
	// From is the sender of messages that name none; "addr" or "Name <addr>".
	From string
	TLS  string // TLSStartTLS, TLSImplicit or TLSNone
	// InsecureSkipVerify accepts any server certificate. It is for tests against a local server
	// with a self-signed certificate, and is refused for any host but a loopback one.
	InsecureSkipVerify bool
	Timeout            time.Duration // per SMTP command; DefaultTimeout when zero
}

// ParseURL parses smtp://[user[:pass]@]host[:port]?from=...[&tls=starttls|tls|none]
// [&insecure_skip_verify=true][&timeout=10s]. The scheme smtps means tls=tls. The port defaults
// to 587 with STARTTLS, 465 with implicit TLS and 25 without TLS. Unknown parameters are
// errors, so that a typo does not silently weaken the configuration.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("parse SMTP URL: malformed URL") // the error would echo the password
	}
	var c Config
	switch u.Scheme {
	case "smtp":
		c.TLS = TLSStartTLS
	case "smtps":
		c.TLS = TLSImplicit
	default:
		return Config{}, fmt.Errorf("parse SMTP URL: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	c.Host = u.Hostname()
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	for key, values := range q {
		if len(values) != 1 {
			return Config{}, fmt.Errorf("parse SMTP URL: parameter %q given more than once", key)
		}
		if err := c.setParam(u.Scheme, key, values[0]); err != nil {
			return Config{}, fmt.Errorf("parse SMTP URL: %w", err)
		}
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return Config{}, fmt.Errorf("parse SMTP URL: invalid port %q", p)
		}
		c.Port = port
	}
	if err := c.normalize(); err != nil {
		return Config{}, fmt.Errorf("parse SMTP URL: %w", err)
	}
	return c, nil
}

func (c *Config) setParam(scheme, key, value string) error {
	switch key {
	case "from":
		c.From = value
	case "tls":
		mode := strings.ToLower(value)
		if mode != TLSStartTLS && mode != TLSImplicit && mode != TLSNone {
			return fmt.Errorf("tls must be starttls, tls or none, not %q", value)
		}
		if scheme == "smtps" && mode != TLSImplicit {
			return fmt.Errorf("smtps URLs use implicit TLS; tls=%s contradicts it", mode)
		}
		c.TLS = mode
	case "insecure_skip_verify":
		v, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("insecure_skip_verify must be true or false, not %q", value)
		}
		c.InsecureSkipVerify = v
	case "timeout":
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("timeout must be a positive duration such as 10s, not %q", value)
		}
		c.Timeout = d
	default:
		return fmt.Errorf("unknown parameter %q", key)
	}
	return nil
}

// normalize fills defaults in and rejects configurations that cannot work or are unsafe.
func (c *Config) normalize() error {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	var problems []string
	if c.Host == "" {
		problems = append(problems, "host is required")
	}
	if c.Port < 1 || c.Port > 65535 {
		problems = append(problems, fmt.Sprintf("port %d is out of range", c.Port))
	}
	if c.TLS != TLSStartTLS && c.TLS != TLSImplicit && c.TLS != TLSNone {
		problems = append(problems, fmt.Sprintf("unknown TLS mode %q", c.TLS))
	}
	if c.Timeout < 0 {
		problems = append(problems, "timeout must not be negative")
	}
	if c.From == "" {
		problems = append(problems, "from is required")
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		problems = append(problems, fmt.Sprintf("from %q is not an email address", c.From))
	}
	if c.Password != "" && c.Username == "" {
		problems = append(problems, "a password needs a user name")
	}
	if c.Username != "" && c.TLS == TLSNone && !isLoopback(c.Host) {
		problems = append(problems, "credentials are sent only over TLS, or to a loopback host when tls=none")
	}
	if c.InsecureSkipVerify && !isLoopback(c.Host) {
		problems = append(problems, "insecure_skip_verify is allowed only for a loopback host")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// isLoopback reports whether host names this machine. Only the names the SMTP client library
// itself trusts with unencrypted credentials count.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}
