package portal

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The domain's messages land next to the fields they name; the rest stay general.
func TestUserFormFilesProblemsByField(t *testing.T) {
	f := userForm{}.withProblems([]string{
		"email: not a valid email address",
		"name.first_name: must be at most 256 characters",
		"credentials.password must be at least 8 characters",
		"another user already has this phone_number and username",
		"email, phone_number or username is required",
	})
	want := map[string][]string{
		"email":           {"email: not a valid email address"},
		"name.first_name": {"name.first_name: must be at most 256 characters"},
		"password":        {"credentials.password must be at least 8 characters"},
		"phone_number":    {"another user already has this phone_number and username"},
	}
	if !reflect.DeepEqual(f.Problems, want) {
		t.Errorf("by field: %v, want %v", f.Problems, want)
	}
	if len(f.Other) != 2 || f.Other[1] != "email, phone_number or username is required" {
		t.Errorf("general problems: %q", f.Other)
	}
}

// The custom data patch turns the stored object into the one typed: changed and new keys set,
// removed ones nulled, nothing sent when nothing changed, and text that is no object passed on
// for the domain to refuse.
func TestCustomDataPatch(t *testing.T) {
	stored := json.RawMessage(`{"plan":"gold","seats":3,"old":true}`)
	var got map[string]any
	if err := json.Unmarshal(customDataPatch(stored, `{"plan": "gold", "seats": 4, "new": "x"}`), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"seats": 4.0, "new": "x", "old": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("patch %v, want %v", got, want)
	}
	if p := customDataPatch(stored, "{\n  \"old\": true, \"plan\": \"gold\", \"seats\": 3\n}"); p != nil {
		t.Errorf("an unchanged object gave the patch %s", p)
	}
	if p := customDataPatch(nil, ""); p != nil {
		t.Errorf("nothing typed over nothing gave %s", p)
	}
	if p := string(customDataPatch(stored, "[1, 2]")); p != "[1, 2]" {
		t.Errorf("a list gave %q, want it passed on", p)
	}
}
