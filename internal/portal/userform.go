package portal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
)

// userForm is a user's profile as its form shows it, with what the domain refused, field by
// field. The field names are the users API's, so that its messages ("email: ...") find them.
type userForm struct {
	Email, PhoneNumber, Username, ExternalUserID string
	FirstName, LastName, Language, CustomData    string
	// Password is a temporary password for a new user (create only); it is never shown back.
	Password string
	// Problems are the domain's messages by field; Other are those that name none.
	Problems map[string][]string
	Other    []string
}

// userFields are the form's fields, named as the users API names them.
var userFields = []string{"email", "phone_number", "username", "external_user_id", "name.first_name", "name.last_name",
	"language", "custom_data", "credentials.password", "password"}

func userFormOf(u model.User) userForm {
	f := userForm{Email: u.Email, PhoneNumber: u.PhoneNumber, Username: u.Username, ExternalUserID: u.ExternalUserID,
		FirstName: u.Name.FirstName, LastName: u.Name.LastName, Language: u.Language}
	if len(u.CustomData) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, u.CustomData, "", "  ") == nil {
			f.CustomData = buf.String()
		}
	}
	return f
}

func readUserForm(r *http.Request) userForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return userForm{Email: v("email"), PhoneNumber: v("phone_number"), Username: v("username"), ExternalUserID: v("external_user_id"),
		FirstName: v("first_name"), LastName: v("last_name"), Language: v("language"), CustomData: v("custom_data"),
		Password: r.PostFormValue("password")}
}

// withProblems files the domain's messages under the fields they name: "field: ..." or
// "field must ...", and a conflict's "another user already has this email and username" under
// each field it lists.
func (f userForm) withProblems(probs []string) userForm {
	f.Problems = map[string][]string{}
	for _, p := range probs {
		filed := false
		for _, name := range userFields {
			key := name
			if name == "credentials.password" {
				key = "password"
			}
			if strings.HasPrefix(p, name+":") || strings.HasPrefix(p, name+" ") ||
				strings.HasPrefix(p, "another user already has this") && containsWord(p, name) {
				f.Problems[key] = append(f.Problems[key], p)
				filed = true
				break
			}
		}
		if !filed {
			f.Other = append(f.Other, p)
		}
	}
	if len(f.Problems) > 0 {
		// The page opens at the top; the fields may be out of sight.
		f.Other = append([]string{"Nothing was saved: see the fields marked below."}, f.Other...)
	}
	return f
}

// containsWord reports whether the conflict message lists field (as a whole word).
func containsWord(msg, field string) bool {
	for _, w := range strings.FieldsFunc(msg, func(r rune) bool { return r == ' ' || r == ',' }) {
		if w == field {
			return true
		}
	}
	return false
}

// createInput is the users API's create of what the form holds; a password makes the new user
// a temporary one, as the API's credentials with force_replace do.
func (f userForm) createInput() directory.CreateInput {
	in := directory.CreateInput{Email: f.Email, PhoneNumber: f.PhoneNumber, Username: f.Username, ExternalUserID: f.ExternalUserID,
		Name: model.Name{FirstName: f.FirstName, LastName: f.LastName}, Language: f.Language}
	if f.CustomData != "" {
		in.CustomData = json.RawMessage(f.CustomData)
	}
	if f.Password != "" {
		in.Credentials = &directory.Credentials{Password: f.Password, ForceReplace: true}
	}
	return in
}

// updateInput is the users API's update of what changed between cur and the form. Fields left
// as they were are not sent, so that an unchanged address keeps its verification. Custom data
// is merged by the API; keys the form removed are sent as null, so that the stored object ends
// as typed.
func (f userForm) updateInput(cur model.User) directory.UpdateInput {
	var in directory.UpdateInput
	str := func(now, was string) *string {
		if now == was {
			return nil
		}
		return &now
	}
	in.Email, in.PhoneNumber, in.Username = str(f.Email, cur.Email), str(f.PhoneNumber, cur.PhoneNumber), str(f.Username, cur.Username)
	in.ExternalUserID, in.Language = str(f.ExternalUserID, cur.ExternalUserID), str(f.Language, cur.Language)
	if f.FirstName != cur.Name.FirstName || f.LastName != cur.Name.LastName {
		n := cur.Name
		n.FirstName, n.LastName = f.FirstName, f.LastName
		in.Name = &n
	}
	in.CustomData = customDataPatch(cur.CustomData, f.CustomData)
	return in
}

// customDataPatch is the merge patch that turns the stored object into the typed one; nil when
// nothing changed. Text that is no JSON object is passed on for the domain to refuse.
func customDataPatch(stored json.RawMessage, typed string) json.RawMessage {
	old := map[string]json.RawMessage{}
	if len(stored) > 0 {
		_ = json.Unmarshal(stored, &old)
	}
	next := map[string]json.RawMessage{}
	if typed != "" {
		if err := json.Unmarshal([]byte(typed), &next); err != nil || next == nil {
			return json.RawMessage(typed)
		}
	}
	patch := map[string]json.RawMessage{}
	for k, v := range next {
		if !bytes.Equal(compact(old[k]), compact(v)) {
			patch[k] = v
		}
	}
	for k := range old {
		if _, ok := next[k]; !ok {
			patch[k] = json.RawMessage("null")
		}
	}
	if len(patch) == 0 {
		return nil
	}
	raw, _ := json.Marshal(patch)
	return raw
}

func compact(raw json.RawMessage) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return raw
	}
	return buf.Bytes()
}
