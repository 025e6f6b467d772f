package storagetest

import (
	"testing"

	"github.com/latchkey/latchkey/internal/storage"
)

// RunTests runs the conformance suite; newStore returns a fresh, empty, migrated store.
// newStore is called once per subtest and should register the store's Close with t.Cleanup.
// Subtests run one after another, never in parallel, so newStore may hand out stores that
// share a database server.
func RunTests(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
	runGroup(t, "Tenants", newStore, tenantTests)
	runGroup(t, "Applications", newStore, appTests)
	runGroup(t, "Clients", newStore, clientTests)
	runGroup(t, "Resources", newStore, resourceTests)
	runGroup(t, "SigningKeys", newStore, keyTests)
	runGroup(t, "Users", newStore, userTests)
	runGroup(t, "ListUsers", newStore, userListTests)
	runGroup(t, "AppUsers", newStore, appUserTests)
	runGroup(t, "Codes", newStore, codeTests)
	runGroup(t, "Sessions", newStore, sessionTests)
	runGroup(t, "RefreshTokens", newStore, refreshTests)
	runGroup(t, "Outbox", newStore, outboxTests)
	runGroup(t, "OutboxFinish", newStore, outboxFinishTests)
	runGroup(t, "Sealed", newStore, sealedTests)
	runGroup(t, "Counters", newStore, counterTests)
	runGroup(t, "Audit", newStore, auditTests)
	runGroup(t, "Activity", newStore, activityTests)
	runGroup(t, "Credentials", newStore, credentialTests)
	runGroup(t, "CrossDevice", newStore, crossDeviceTests)
	runGroup(t, "Roles", newStore, roleTests)
	runGroup(t, "RoleGroups", newStore, roleGroupTests)
	runGroup(t, "ClientRoles", newStore, clientRoleTests)
	runGroup(t, "Groups", newStore, groupTests)
	runGroup(t, "Organizations", newStore, orgTests)
	runGroup(t, "AdminPortal", newStore, adminPortalTests)
	runGroup(t, "UserDetails", newStore, userDetailTests)
	runGroup(t, "DuplicateIDs", newStore, duplicateIDTests)
	runGroup(t, "Transactions", newStore, txTests)
	runGroup(t, "TransactionWrites", newStore, txWriteTests)
	runGroup(t, "Maintenance", newStore, gcTests)
}

// RunConcurrencyTests runs the tests that race goroutines against one store. Each subtest
// gets a fresh store from newStore, as in RunTests.
func RunConcurrencyTests(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
	runGroup(t, "Concurrency", newStore, concurrencyTests)
}
