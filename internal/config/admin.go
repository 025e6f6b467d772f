package config

import "time"

// adminProblems checks the admin portal's session limits. AdminIdleTimeout ends a portal
// session unused for that long; AdminMaxAge ends one that long after sign-in, however busy. An
// administrator's session reaches every user and secret of a tenant, so both are far shorter
// than an end user's. A session is checked once a request, so a minute is the finest useful
// idle limit; past a day (or a week, absolute) it is no longer the short-lived session the
// portal promises.
func (c Config) adminProblems() []string {
	var p []string
	if c.AdminIdleTimeout < time.Minute || c.AdminIdleTimeout > 24*time.Hour {
		p = append(p, "admin idle timeout must be between 1m and 24h")
	}
	if c.AdminMaxAge < 5*time.Minute || c.AdminMaxAge > 7*24*time.Hour {
		p = append(p, "admin max age must be between 5m and 168h (7 days)")
	} else if c.AdminIdleTimeout > c.AdminMaxAge {
		p = append(p, "admin idle timeout must not be longer than admin max age")
	}
	return p
}
