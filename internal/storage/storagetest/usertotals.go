package storagetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// testUserTotalsConcurrent adds, links, unlinks and deletes users of one tenant from many
// transactions at once, some of them several users at a time, and checks that the kept
// totals (the unfiltered count, which is read rather than counted) end equal to the rows.
func testUserTotalsConcurrent(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	ctx := t.Context()
	const workers, rounds = 8, 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				users := []model.User{makeUser(e.Tenant.ID), makeUser(e.Tenant.ID)}
				err := s.InTx(ctx, func(tx storage.Store) error {
					for _, u := range users {
						if err := tx.CreateUser(ctx, u); err != nil {
							return err
						}
						if err := tx.LinkUser(ctx, model.AppUser{TenantID: e.Tenant.ID, AppID: e.App.ID, UserID: u.ID, CreatedAt: base}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: sign-up: %w", w, r, err)
					continue
				}
				// Every other round takes one of them away again: unlinked from the application
				// by one worker, deleted altogether by the next.
				switch (w + r) % 4 {
				case 1:
					err = s.UnlinkUser(ctx, e.Tenant.ID, e.App.ID, users[0].ID)
				case 3:
					err = s.DeleteUser(ctx, e.Tenant.ID, users[1].ID)
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: removal: %w", w, r, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, appID := range []string{"", e.App.ID} {
		q := model.UserQuery{TenantID: e.Tenant.ID, AppID: appID}
		kept, err := s.CountUsers(ctx, q)
		must(t, err, "count users")
		var rows int
		q.Filter = &model.UserFilter{Op: model.FilterPresent, Attr: model.UserAttrID}
		rows, err = s.CountUsers(ctx, q)
		must(t, err, "count users by a filter")
		if kept != rows {
			t.Errorf("application %q: kept total %d, rows counted %d", appID, kept, rows)
		}
	}
}
