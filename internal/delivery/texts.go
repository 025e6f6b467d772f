package delivery

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed texts/*.yaml
var builtinTexts embed.FS

// fallbackLanguage is the language of every text no other catalog has.
const fallbackLanguage = "en"

// textKeys lists every text a message uses, with the placeholders it may hold.
var textKeys = map[string][]string{
	"otp.subject": {"app"}, "otp.preheader": {"app"}, "otp.heading": {"app"}, "otp.body": {"app"},
	"otp.expires": {"minutes"}, "otp.ignore": {"app"},
	"link.subject": {"app"}, "link.preheader": {"app"}, "link.heading": {"app"}, "link.body": {"app"},
	"link.button": {"app"}, "link.expires": {"minutes"}, "link.ignore": {"app"},
	"reset.subject": {"app"}, "reset.heading": {"app"}, "reset.body_link": {"app"}, "reset.button": {"app"},
	"reset.body_code": {"app"}, "reset.expires": {"minutes"}, "reset.once": nil, "reset.ignore": {"app"},
	"sms.otp": {"app", "code"}, "sms.expires": {"minutes"}, "sms.reset_code": {"app", "code"},
	"sms.reset_link": {"app", "link"},
	"minutes.one":    nil, "minutes.other": {"n"},
	"invite.subject": {"tenant"}, "invite.heading": {"tenant"}, "invite.body": {"tenant", "inviter"},
	"invite.button": nil, "invite.expires": {"n"}, "invite.ignore": nil,
}

var placeholder = regexp.MustCompile(`\{([a-z]+)\}`)

// Texts are the wording of messages in each language Latchkey speaks: built-in catalogs
// (English, German, French, Spanish), with an operator's own files laid over them.
type Texts struct {
	// langs maps a lower-case language tag ("de", "pt-br") to its texts.
	langs map[string]map[string]string
}

// BuiltinTexts returns the catalogs compiled into Latchkey.
func BuiltinTexts() *Texts {
	t, err := loadTexts(builtinTexts, "texts", &Texts{langs: map[string]map[string]string{}})
	if err != nil {
		panic("delivery: built-in texts: " + err.Error()) // caught by any test
	}
	return t
}

// LoadTexts returns the built-in catalogs with the files of dir laid over them. Each file is
// named for its language tag (de.yaml, pt-BR.yaml) and maps text keys to texts; a file may
// give only the texts it changes, and a language of its own falls back to English for the
// rest. Unknown keys and placeholders a text may not hold are errors, so that a typo is found
// when the server starts rather than in a user's inbox. An empty dir gives the built-in
// catalogs.
func LoadTexts(dir string) (*Texts, error) {
	t := BuiltinTexts()
	if dir == "" {
		return t, nil
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*.yaml")); len(names) == 0 {
		return nil, fmt.Errorf("email texts: no <language>.yaml files in %s", dir)
	}
	return loadTexts(os.DirFS(dir), ".", t)
}

func loadTexts(fsys fs.FS, dir string, into *Texts) (*Texts, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, name := range names {
		lang := strings.ToLower(strings.TrimSuffix(path.Base(name), ".yaml"))
		if !validTag(lang) {
			problems = append(problems, fmt.Sprintf("%s: %q is not a language tag (such as de or pt-BR)", name, lang))
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var texts map[string]string
		if err := yaml.Unmarshal(data, &texts); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		if into.langs[lang] == nil {
			into.langs[lang] = map[string]string{}
		}
		for key, text := range texts {
			allowed, known := textKeys[key]
			if !known {
				problems = append(problems, fmt.Sprintf("%s: no text is named %q", name, key))
				continue
			}
			for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
				if !slices.Contains(allowed, m[1]) {
					problems = append(problems, fmt.Sprintf("%s: %s may not hold {%s} (it may hold %s)", name, key, m[1], placeholderList(allowed)))
				}
			}
			into.langs[lang][key] = strings.TrimSpace(text)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("email texts:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return into, nil
}

func placeholderList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{" + n + "}"
	}
	return strings.Join(out, ", ")
}

var tagPattern = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`)

func validTag(tag string) bool { return tagPattern.MatchString(tag) }

// Languages lists the languages the texts speak, sorted.
func (t *Texts) Languages() []string {
	var out []string
	for lang := range t.langs {
		out = append(out, lang)
	}
	slices.Sort(out)
	return out
}

// Speaks reports whether the texts have a catalog for tag or for its base language.
func (t *Texts) Speaks(tag string) bool {
	_, ok := t.catalog(tag)
	return ok
}

// Choose returns the first of the tags the texts speak (a user's language, then the tenant's
// default), or English.
func (t *Texts) Choose(tags ...string) string {
	for _, tag := range tags {
		if lang, ok := t.catalog(tag); ok {
			return lang
		}
	}
	return fallbackLanguage
}

// catalog finds tag's catalog: its own ("pt-br"), else its base language's ("pt").
func (t *Texts) catalog(tag string) (string, bool) {
	tag = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	for tag != "" {
		if _, ok := t.langs[tag]; ok {
			return tag, true
		}
		i := strings.LastIndexByte(tag, '-')
		if i < 0 {
			break
		}
		tag = tag[:i]
	}
	return "", false
}

// wording is the texts of one language, for one message.
type wording struct {
	t    *Texts
	lang string
}

// defaultTexts serves renders given no texts.
var defaultTexts = sync.OnceValue(BuiltinTexts)

func (t *Texts) in(lang string) wording {
	if t == nil {
		t = defaultTexts()
	}
	lang, _ = t.catalog(lang)
	return wording{t: t, lang: lang}
}

// say returns the text of key in the language (else its base language's, else English's)
// with the placeholders filled in, in one pass so that a value holding "{app}" is left as it is.
func (w wording) say(key string, args ...string) string {
	text := ""
	for _, lang := range []string{w.lang, baseOf(w.lang), fallbackLanguage} {
		if s, ok := w.t.langs[lang][key]; ok {
			text = s
			break
		}
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// minutes says a number of minutes.
func (w wording) minutes(n int) string {
	if n == 1 {
		return w.say("minutes.one")
	}
	return w.say("minutes.other", "n", strconv.Itoa(n))
}

// language is the tag a message declares itself in (the html element's lang).
func (w wording) language() string {
	if w.lang == "" {
		return fallbackLanguage
	}
	return w.lang
}

func baseOf(tag string) string {
	base, _, _ := strings.Cut(tag, "-")
	return base
}
