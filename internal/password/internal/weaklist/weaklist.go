// Package weaklist generates Latchkey's offline list of weak passwords from patterns: common
// words and names (roots), keyboard walks, and the decorations people add to them (digits,
// years, symbols), plus repeated and sequential characters. Package password embeds the
// generated list compressed; a test checks that the embedded copy matches Generate.
package weaklist

import (
	"slices"
	"strconv"
	"strings"
)

// minLen drops entries shorter than the shortest password any policy accepts.
const minLen = 5

// suffixes are what people append to a root, from the patterns that analyses of leaked
// passwords describe: counting digits, a few favourite numbers, and a symbol to satisfy a rule.
var suffixes = []string{
	"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "007", "101", "111", "123", "1234",
	"12345", "123456", "1234567", "12345678", "123456789", "1234567890", "321", "4321",
	"666", "777", "911", "999", "!", "!!", "!!!", "@", "#", "$", "*", "?", ".", "1!", "12!",
	"123!", "1234!", "!1", "!12", "!123", "@1", "@12", "@123", "#1", "#123", "$1", "*1",
	"_1", "_123", "123$", "123#", "123@", "123*", "123.", "1@", "1#", "1$", "1*", "1.",
}

// Generate returns the list: lower-case, unique, sorted, every entry at least minLen bytes.
func Generate() []string {
	set := map[string]bool{}
	add := func(s string) {
		if len(s) >= minLen && len(s) <= 64 {
			set[s] = true
		}
	}
	decorate := func(base string) {
		add(base)
		for _, s := range suffixes {
			add(base + s)
		}
		for n := 0; n < 100; n++ {
			add(base + twoDigits(n))
		}
		for y := 1950; y <= 2030; y++ {
			year := strconv.Itoa(y)
			add(base + year)
			add(base + year + "!")
		}
	}
	for _, r := range roots {
		decorate(r)
		add("my" + r)
		add("my" + r + "1")
		add("ilove" + r)
		add("ilove" + r + "1")
		add("iloveyou" + r)
		add(r + r)
		add(r + "123" + r)
	}
	for _, w := range walks {
		decorate(w)
		add(w + w)
	}
	for _, s := range sequences() {
		add(s)
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, strings.ToLower(s))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// sequences are passwords made of one character repeated, runs of consecutive digits or
// letters (either way, wrapping after 9), and short blocks repeated.
func sequences() []string {
	var out []string
	const digits, letters = "0123456789", "abcdefghijklmnopqrstuvwxyz"
	for n := minLen; n <= 16; n++ {
		for _, c := range digits + letters {
			out = append(out, strings.Repeat(string(c), n))
		}
		for start := 0; start < 10; start++ {
			var up, down strings.Builder
			for i := 0; i < n; i++ {
				up.WriteByte(digits[(start+i)%10])
				down.WriteByte(digits[((start-i)%10+10)%10])
			}
			out = append(out, up.String(), down.String())
		}
		for start := 0; start+n <= len(letters); start++ {
			out = append(out, letters[start:start+n])
		}
	}
	for _, block := range []string{"12", "123", "1234", "12345", "21", "321", "4321", "01", "69", "ab", "abc", "xo", "ha", "lol", "qwe", "asd"} {
		for rep := 2; len(block)*rep <= 16; rep++ {
			out = append(out, strings.Repeat(block, rep))
		}
	}
	for _, half := range []string{"12", "123", "1234", "12345", "abc", "321"} {
		out = append(out, half+reverse(half))
	}
	for _, d := range []string{"112233", "11223344", "1122334455", "aabbcc", "abc123abc", "102030", "10203040", "1020304050", "121314", "010203"} {
		out = append(out, d)
	}
	return out
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}
