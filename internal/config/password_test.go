package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestPasswordSettings(t *testing.T) {
	env := map[string]string{"LATCHKEY_PASSWORD_HASH": "m=65536,t=3,p=2", "LATCHKEY_PASSWORD_WORKERS": "4", "LATCHKEY_PASSWORD_IMPORT_COST": "4"}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, _, err := Load(fs, []string{"-password-queue", "10"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.PasswordHash != "m=65536,t=3,p=2" || c.PasswordWorkers != 4 || c.PasswordQueue != 10 || c.PasswordImportCost != 4 {
		t.Fatalf("settings = %q %d %d %d", c.PasswordHash, c.PasswordWorkers, c.PasswordQueue, c.PasswordImportCost)
	}
	if Default().PasswordImportCost != 12 {
		t.Errorf("default import cost = %d", Default().PasswordImportCost)
	}
	if Default().PasswordHash != "m=19456,t=2,p=1" {
		t.Errorf("default argon2id parameters = %q", Default().PasswordHash)
	}
	env = map[string]string{"LATCHKEY_PASSWORD_HASH": "m=4,t=0,p=1", "LATCHKEY_PASSWORD_WORKERS": "many", "LATCHKEY_PASSWORD_IMPORT_COST": "0"}
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_, _, err = Load(fs, []string{"-password-queue", "-1"}, func(k string) string { return env[k] })
	for _, want := range []string{"LATCHKEY_PASSWORD_WORKERS", "iterations", "memory", "password queue", "password import cost"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}
