package main

import (
	"context"
	"flag"
	"sync"

	"github.com/latchkey/latchkey/internal/bench"
	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/storage/sqlstore"
)

// dataSizeFlags are the settings of the data-size scenario.
type dataSizeFlags struct {
	size     bench.DataSize
	fraction int
	requests int
	analyze  bool
}

func (d *dataSizeFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&d.size.Users, "data-users", 300_000, "data-size: users of the benchmark's application at the grown size")
	fs.IntVar(&d.size.AuditEvents, "data-audit", 1_000_000, "data-size: audit events at the grown size")
	fs.IntVar(&d.size.Tenants, "data-tenants", 5_000, "data-size: tenants at the grown size")
	fs.IntVar(&d.size.HotRows, "data-hot", 100_000, "data-size: rows of each of sessions, refresh tokens and codes at the grown size")
	fs.IntVar(&d.fraction, "data-small-fraction", 30, "data-size: the small size is the grown size divided by this")
	fs.IntVar(&d.requests, "data-requests", 50, "data-size: requests of each kind timed at each size")
	fs.BoolVar(&d.analyze, "data-analyze", true, "data-size on PostgreSQL: refresh the statistics after growing, as autovacuum would (false keeps the small tables' statistics)")
}

// apply sets the data-size options of o, growing the database of the server --start made.
func (d *dataSizeFlags) apply(o *bench.Options, server *benchProcess) {
	o.DataSize, o.DataSmallFraction, o.DataRequests = d.size, d.fraction, d.requests
	if server != nil {
		o.Grow = growInto(server, d.analyze)
	}
}

// growInto returns a GrowFunc that writes straight to the database of the started server,
// through a store of its own opened on the first growth.
func growInto(p *benchProcess, analyze bool) bench.GrowFunc {
	var (
		once  sync.Once
		store *sqlstore.Store
		err   error
	)
	return func(ctx context.Context, prefix string, add bench.DataSize) (bench.Grown, error) {
		once.Do(func() { store, err = sqlstore.Open(context.WithoutCancel(ctx), p.env["LATCHKEY_DATABASE"]) })
		if err != nil {
			return bench.Grown{}, err
		}
		g, err := store.Grow(ctx, sqlstore.Growth{
			TenantID: p.boot.TenantID, AppID: p.boot.AppID, ClientID: p.boot.ClientID, Prefix: prefix,
			Users: add.Users, AuditEvents: add.AuditEvents, Tenants: add.Tenants,
			Sessions: add.HotRows, RefreshTokens: add.HotRows, Codes: add.HotRows, Analyze: analyze,
		})
		if err != nil {
			return bench.Grown{}, err
		}
		out := bench.Grown{UserIDs: g.UserIDs, Emails: g.Emails, AuditCursor: g.MiddleEventID}
		if g.MiddleUser.ID != "" {
			out.UserCursor = directory.NextCursor(directory.SearchInput{}, []directory.User{{User: g.MiddleUser}})
		}
		return out, nil
	}
}
