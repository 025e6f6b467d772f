// Package storagetest is the conformance suite for storage.Store backends. A backend's own test
// calls RunTests and RunConcurrencyTests with a constructor of fresh, empty, migrated stores;
// the suite checks every method and every contract written in package storage, so that all
// backends behave alike and domain code can rely on the interface alone.
package storagetest
