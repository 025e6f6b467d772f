package password

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

func TestStateAt(t *testing.T) {
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	ignore := model.PasswordPreferences{IgnoreExpiration: true}
	cases := []struct {
		d    Data
		p    model.PasswordPreferences
		want State
	}{
		{Data{}, model.PasswordPreferences{}, Usable},
		{Data{ExpiresAt: &future}, model.PasswordPreferences{}, Usable},
		{Data{ExpiresAt: &now}, model.PasswordPreferences{}, Expired},
		{Data{ExpiresAt: &past}, ignore, Usable},
		{Data{Temporary: true, ExpiresAt: &future}, model.PasswordPreferences{}, MustChange},
		{Data{Temporary: true, ExpiresAt: &past}, model.PasswordPreferences{}, TemporaryExpired},
		{Data{Temporary: true, ExpiresAt: &past}, ignore, TemporaryExpired},
	}
	for i, c := range cases {
		if got := c.d.StateAt(c.p, now); got != c.want {
			t.Errorf("case %d: state %d, want %d", i, got, c.want)
		}
	}
	back, err := ParseData(Data{Temporary: true, ChangedAt: now, ExpiresAt: &future, History: []string{"h"}}.JSON())
	if err != nil || !back.Temporary || !back.ChangedAt.Equal(now) || !back.ExpiresAt.Equal(future) || back.History[0] != "h" {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if _, err := ParseData([]byte("{")); err == nil {
		t.Fatal("bad JSON parsed")
	}
}

func TestLockFor(t *testing.T) {
	base := model.LoginPreferences{}.Normalized().Password
	tiered := base
	tiered.LockoutTiers = []model.LockoutTier{{Attempts: 3, Duration: 5}, {Attempts: 6, Duration: 60}, {Attempts: 9, Duration: 1440}}
	min := time.Minute
	cases := []struct {
		name string
		p    model.PasswordPreferences
		f    Failures
		want time.Duration
	}{
		{"below the limit", base, Failures{Recent: 4, Total: 4}, 0},
		{"at the limit", base, Failures{Recent: 5, Total: 5}, 15 * min},
		{"first tier", tiered, Failures{Recent: 3, Total: 3}, 5 * min},
		{"between tiers", tiered, Failures{Recent: 1, Total: 4}, 0},
		{"second tier", tiered, Failures{Recent: 3, Total: 6}, 60 * min},
		{"recent limit beats no tier", tiered, Failures{Recent: 5, Total: 8}, 15 * min},
		{"last tier", tiered, Failures{Recent: 3, Total: 9}, 1440 * min},
		{"past the last tier", tiered, Failures{Recent: 1, Total: 10}, 1440 * min},
	}
	for _, c := range cases {
		got, locked := LockFor(c.p, c.f)
		if got != c.want || locked != (c.want > 0) {
			t.Errorf("%s: %v %v, want %v", c.name, got, locked, c.want)
		}
	}
}

func TestPreferencesProblems(t *testing.T) {
	bad := model.LoginPreferences{Password: model.PasswordPreferences{
		PasswordComplexity: 6, PasswordMinLength: 4, PasswordExpiresIn: 2000, BlockPreviousPasswords: 21,
		MaxPasswordFailures: -1, ResetValidityMinutes: 61, CodeLength: 9,
		LockoutTiers: []model.LockoutTier{{Attempts: 0, Duration: 5}, {Attempts: 3, Duration: 0}, {Attempts: 3, Duration: 5}},
	}}
	if n := len(bad.Problems()); n != 10 {
		t.Errorf("problems = %d: %q", n, bad.Problems())
	}
	good := model.LoginPreferences{}.Normalized().Password
	if good.PasswordComplexity != 5 || good.PasswordMinLength != 14 || good.PasswordExpiresIn != 90 ||
		good.MaxPasswordFailures != 5 || good.PasswordSuspensionDuration != 15 || good.ResetValidityMinutes != 5 {
		t.Errorf("defaults = %+v", good)
	}
}
