package config

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Where a setting's value came from, lowest precedence first.
const (
	FromDefault = "default"
	FromFile    = "file"
	FromEnv     = "env"
	FromFlag    = "flag"
)

// FileEnv names the configuration file when no --config flag does.
const FileEnv = "LATCHKEY_CONFIG"

// otherVariables are the LATCHKEY_ variables read outside the settings; any other
// LATCHKEY_ variable that no setting reads is reported as unknown.
var otherVariables = map[string]string{
	FileEnv:                      "the configuration file",
	"LATCHKEY_NEW_MASTER_KEY":    "the new master key of `latchkey keys reseal`",
	"LATCHKEY_TEST_POSTGRES_DSN": "the PostgreSQL database of the test suite",
}

// Sources are where a configuration is read from besides the defaults, from lowest
// precedence to highest: a YAML file (--config, or LATCHKEY_CONFIG), the environment, the
// command line.
type Sources struct {
	Args   []string
	Getenv func(string) string
	// Environ is the environment as NAME=value pairs, searched for LATCHKEY_ variables that no
	// setting reads (a typo such as LATCHKEY_SMTP_ULR); nil skips the search.
	Environ []string
	// ReadFile reads the configuration file; nil reads it from disk.
	ReadFile func(name string) ([]byte, error)
}

// Load builds a Config from defaults, the environment (through getenv) and args; see LoadFrom.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string, flags ...string) (Config, []string, error) {
	return LoadFrom(fs, Sources{Args: args, Getenv: getenv}, flags...)
}

// LoadFrom builds a Config from the defaults and src, and returns the arguments left after
// the flags. Every problem found, in parsing or validation, is reported in one error.
//
// Keys of the file and variables of the environment that no setting reads are errors in
// production and warnings (Config.Warnings) in development, so that a misspelt setting is
// never silently ignored where it matters.
//
// flags names the settings fs takes as flags (by flag name, such as "database"); none means
// every setting. A command offers only the flags it acts on, so that its help lists those and
// a serve-only flag given to it is refused rather than ignored. The file and the environment
// are read, and every setting validated, whatever the flags: they are the deployment's
// configuration, which every command shares.
func LoadFrom(fs *flag.FlagSet, src Sources, flags ...string) (Config, []string, error) {
	c := Default()
	c.Origins = map[string]string{}
	byFlag := map[string]setting{}
	byEnv := map[string]bool{}
	var flagNames, envNames []string
	for _, s := range c.settings() {
		byFlag[s.flag], byEnv[s.env] = s, true
		flagNames, envNames = append(flagNames, s.flag), append(envNames, s.env)
	}
	var problems, unknown []string
	c.File = fileArg(src.Args)
	if c.File == "" && src.Getenv != nil {
		c.File = src.Getenv(FileEnv)
	}
	if c.File != "" {
		values, err := readFile(c.File, src.ReadFile)
		if err != nil {
			return c, nil, &Error{Problems: []string{err.Error()}}
		}
		for _, kv := range values {
			s, ok := byFlag[kv.key]
			if !ok {
				unknown = append(unknown, fmt.Sprintf("%s: line %d: no setting is named %q%s", c.File, kv.line, kv.key, suggest(kv.key, flagNames)))
				continue
			}
			if p := s.set(kv.value, fmt.Sprintf("%s: line %d: %s", c.File, kv.line, kv.key)); p != "" {
				problems = append(problems, p)
			}
			c.Origins[s.flag] = FromFile
		}
	}
	if src.Getenv != nil {
		c.readOTelEnv(src.Getenv)
		for _, s := range c.settings() {
			if v := src.Getenv(s.env); v != "" {
				if p := s.set(v, s.env); p != "" {
					problems = append(problems, p)
				}
				c.Origins[s.flag] = FromEnv
			}
		}
	}
	for _, kv := range src.Environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "LATCHKEY_") && !byEnv[name] && otherVariables[name] == "" {
			unknown = append(unknown, fmt.Sprintf("environment: no setting reads %s%s", name, suggest(name, envNames)))
		}
	}
	if err := c.register(fs, flags); err != nil {
		return c, nil, err
	}
	if fs.Lookup("config") == nil {
		fs.String("config", c.File, "YAML configuration file, keys named as these flags (env "+FileEnv+")")
	}
	if err := fs.Parse(src.Args); err != nil {
		return c, nil, err
	}
	fs.Visit(func(f *flag.Flag) {
		if _, ok := byFlag[f.Name]; ok {
			c.Origins[f.Name] = FromFlag
		}
	})
	problems = append(problems, c.Problems()...)
	if c.Mode == ModeProduction {
		problems = append(problems, unknown...)
	} else {
		c.Warnings = unknown
	}
	if len(problems) > 0 {
		return c, fs.Args(), &Error{Problems: problems}
	}
	return c, fs.Args(), nil
}

// set parses text into the setting, and returns the problem, naming where, if it cannot.
func (s setting) set(text, where string) string {
	switch {
	case s.str != nil:
		*s.str = text
	case s.num != nil:
		n, err := strconv.Atoi(text)
		if err != nil {
			return fmt.Sprintf("%s: %q is not a whole number", where, text)
		}
		*s.num = n
	default:
		d, err := time.ParseDuration(text)
		if err != nil {
			return fmt.Sprintf("%s: %q is not a duration (e.g. 1h, 15m)", where, text)
		}
		*s.dur = d
	}
	return ""
}

// fileArg finds --config (or -config) among args before they are parsed, since the file's
// values must be in place before the flags that override them.
func fileArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

type fileValue struct {
	key, value string
	line       int
}

// readFile reads a configuration file: one YAML mapping of setting names to scalar values, in
// the file's order.
func readFile(name string, read func(string) ([]byte, error)) ([]fileValue, error) {
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(name)
	if err != nil {
		return nil, fmt.Errorf("configuration file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("configuration file %s: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("configuration file %s: line %d: want a mapping of setting names to values", name, root.Line)
	}
	var out []fileValue
	var problems []string
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			problems = append(problems, fmt.Sprintf("line %d: %s is already defined on line %d", k.Line, k.Value, first))
			continue
		}
		seen[k.Value] = k.Line
		if v.Kind != yaml.ScalarNode {
			problems = append(problems, fmt.Sprintf("line %d: %s must be a single value", v.Line, k.Value))
			continue
		}
		out = append(out, fileValue{key: k.Value, value: v.Value, line: k.Line})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("configuration file %s: %s", name, strings.Join(problems, "; "))
	}
	return out, nil
}

// suggest returns ` (did you mean "x"?)` for the known name closest to name, when one is
// close enough to be a typo of it.
func suggest(name string, known []string) string {
	best, bestD := "", 4
	for _, k := range known {
		if d := distance(strings.ToLower(name), strings.ToLower(k)); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Line is one setting as `latchkey config check` shows it.
type Line struct {
	Key, Value, Origin string
}

// Effective lists every setting's value, in the order of the flags, with where it came from.
// Secrets are masked, and so are passwords inside URLs (a database or SMTP URL).
func (c *Config) Effective() []Line {
	var out []Line
	for _, s := range c.settings() {
		var v string
		switch {
		case s.str != nil:
			v = *s.str
		case s.num != nil:
			v = strconv.Itoa(*s.num)
		default:
			v = s.dur.String()
		}
		if s.secret && v != "" {
			v = masked
		} else {
			v = maskURL(v)
		}
		origin := c.Origins[s.flag]
		if origin == "" {
			origin = FromDefault
		}
		out = append(out, Line{Key: s.flag, Value: v, Origin: origin})
	}
	return out
}

const masked = "********"

// maskURL replaces the password of a URL with asterisks; anything else is returned as it is.
func maskURL(v string) string {
	if !strings.Contains(v, "://") {
		return v
	}
	u, err := url.Parse(v)
	if err != nil {
		return masked // unparsable, and perhaps holding a password
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		return strings.Replace(u.String(), ":xxxxx@", ":"+masked+"@", 1)
	}
	q := u.Query()
	changed := false
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") || strings.Contains(strings.ToLower(k), "secret") {
			q.Set(k, masked)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
