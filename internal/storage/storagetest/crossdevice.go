package storagetest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

var crossDeviceTests = []namedTest{
	{"RoundTrip", testTicketRoundTrip},
	{"Missing", testTicketMissing},
	{"OtherTenant", testTicketOtherTenant},
	{"HashUnique", testTicketHashUnique},
	{"Update", testTicketUpdate},
	{"UpdateRefused", testTicketUpdateRefused},
	{"GarbageCollect", testTicketGC},
}

func makeTicket(e env) model.CrossDeviceTicket {
	hash := make([]byte, 32)
	_, _ = rand.Read(hash)
	return model.CrossDeviceTicket{
		ID: model.NewID(), TenantID: e.Tenant.ID, AppID: e.App.ID, ClientID: e.Client.ID, Hash: hash,
		Flow: model.CrossDeviceAuthenticate, Username: "ada@example.com",
		ApprovalData: json.RawMessage(`{"sum":"200","transaction_id":"t-1"}`), Status: model.CrossDevicePending,
		CreatedAt: at(0), UpdatedAt: at(0), ExpiresAt: at(5 * time.Minute), KeepUntil: at(time.Hour),
	}
}

func newTicket(t *testing.T, s storage.Store, tk model.CrossDeviceTicket) model.CrossDeviceTicket {
	t.Helper()
	must(t, s.CreateCrossDeviceTicket(t.Context(), tk), "create cross-device ticket")
	return tk
}

func testTicketRoundTrip(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	want := newTicket(t, s, makeTicket(e))
	got, err := s.FindCrossDeviceTicket(t.Context(), want.Hash)
	must(t, err, "find ticket")
	wantEqual(t, "FindCrossDeviceTicket", got, want)
	got, err = s.GetCrossDeviceTicket(t.Context(), e.Tenant.ID, want.ID)
	must(t, err, "get ticket")
	wantEqual(t, "GetCrossDeviceTicket", got, want)

	// A registration by a management application, with every optional field set.
	reg := makeTicket(e)
	reg.Flow, reg.Admin, reg.UserID, reg.ExternalUserID = model.CrossDeviceExternalRegister, true, e.User.ID, "ext-1"
	reg.ApprovalData, reg.Status, reg.CeremonyID, reg.SessionRef = nil, model.CrossDeviceSuccess, model.NewID(), "sr_abc"
	reg.AttachedAt, reg.SessionShown = ptr(at(time.Second)), ptr(at(2*time.Second))
	newTicket(t, s, reg)
	got, err = s.FindCrossDeviceTicket(t.Context(), reg.Hash)
	must(t, err, "find registration ticket")
	wantEqual(t, "FindCrossDeviceTicket of a registration", got, reg)
}

func testTicketMissing(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	tk := newTicket(t, s, makeTicket(e))
	other := append([]byte(nil), tk.Hash...)
	other[0] ^= 1
	_, err := s.FindCrossDeviceTicket(t.Context(), other)
	wantNotFound(t, err, "FindCrossDeviceTicket of an unknown hash")
	_, err = s.GetCrossDeviceTicket(t.Context(), e.Tenant.ID, model.NewID())
	wantNotFound(t, err, "GetCrossDeviceTicket of a missing id")
	err = s.UpdateCrossDeviceTicket(t.Context(), e.Tenant.ID, model.NewID(), func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		return cur, nil
	})
	wantNotFound(t, err, "UpdateCrossDeviceTicket of a missing id")
}

func testTicketOtherTenant(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	tk := newTicket(t, s, makeTicket(e))
	intruder := newTenant(t, s)
	_, err := s.GetCrossDeviceTicket(t.Context(), intruder.ID, tk.ID)
	wantNotFound(t, err, "GetCrossDeviceTicket under another tenant")
	err = s.UpdateCrossDeviceTicket(t.Context(), intruder.ID, tk.ID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		cur.Status = model.CrossDeviceAborted
		return cur, nil
	})
	wantNotFound(t, err, "UpdateCrossDeviceTicket under another tenant")
	got, err := s.GetCrossDeviceTicket(t.Context(), e.Tenant.ID, tk.ID)
	must(t, err, "get ticket")
	wantEqual(t, "ticket after another tenant's update", got, tk)
}

func testTicketHashUnique(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	tk := newTicket(t, s, makeTicket(e))
	dup := makeTicket(newEnv(t, s))
	dup.Hash = tk.Hash
	if err := s.CreateCrossDeviceTicket(t.Context(), dup); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("a second ticket with the same hash: got %v, want ErrAlreadyExists", err)
	}
	_, err := s.GetCrossDeviceTicket(t.Context(), dup.TenantID, dup.ID)
	wantNotFound(t, err, "the refused ticket")
}

func testTicketUpdate(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	tk := newTicket(t, s, makeTicket(e))
	want := tk
	want.Status, want.AttachedAt, want.UpdatedAt = model.CrossDeviceScanned, ptr(at(time.Second)), at(time.Second)
	want.CeremonyID, want.SessionRef, want.SessionShown = model.NewID(), "sr_x", ptr(at(3*time.Second))
	err := s.UpdateCrossDeviceTicket(t.Context(), e.Tenant.ID, tk.ID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		wantEqual(t, "ticket handed to the updater", cur, tk)
		next := want
		next.Hash = []byte("ignored: the hash cannot change")
		return next, nil
	})
	must(t, err, "update ticket")
	got, err := s.FindCrossDeviceTicket(t.Context(), tk.Hash)
	must(t, err, "find updated ticket")
	wantEqual(t, "updated ticket", got, want)
}

func testTicketUpdateRefused(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	tk := newTicket(t, s, makeTicket(e))
	refused := errors.New("refused")
	err := s.UpdateCrossDeviceTicket(t.Context(), e.Tenant.ID, tk.ID, func(cur model.CrossDeviceTicket) (model.CrossDeviceTicket, error) {
		cur.Status = model.CrossDeviceAborted
		return cur, refused
	})
	if !errors.Is(err, refused) {
		t.Errorf("update whose updater failed: got %v, want the updater's error", err)
	}
	got, err := s.GetCrossDeviceTicket(t.Context(), e.Tenant.ID, tk.ID)
	must(t, err, "get ticket")
	wantEqual(t, "ticket after a refused update", got, tk)
}

func testTicketGC(t *testing.T, s storage.Store) {
	e := newEnv(t, s)
	old := makeTicket(e)
	old.ExpiresAt, old.KeepUntil = at(-2*time.Hour), at(-time.Hour)
	newTicket(t, s, old)
	// Expired, but kept a while for late polls.
	late := makeTicket(e)
	late.ExpiresAt, late.KeepUntil = at(-time.Minute), at(time.Hour)
	newTicket(t, s, late)
	live := newTicket(t, s, makeTicket(e))
	n, err := s.GarbageCollect(t.Context(), base, storage.GCPolicy{})
	must(t, err, "garbage collect")
	if n != 1 {
		t.Errorf("GarbageCollect removed %d records, want 1", n)
	}
	_, err = s.FindCrossDeviceTicket(t.Context(), old.Hash)
	wantNotFound(t, err, "a ticket past keep_until after GC")
	for _, tk := range []model.CrossDeviceTicket{late, live} {
		_, err := s.FindCrossDeviceTicket(t.Context(), tk.Hash)
		must(t, err, "a ticket before keep_until after GC")
	}
}
