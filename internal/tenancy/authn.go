package tenancy

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// AuthenticateClient checks a client's secret and returns the client with its application.
// An unknown client and a wrong secret fail alike, with the same error, and the hash is
// computed in both cases so that timing does not tell them apart either.
func (s *Service) AuthenticateClient(ctx context.Context, clientID, clientSecret string) (model.Client, model.Application, error) {
	presented := s.keys.HashClientSecret(clientSecret)
	if clientID == "" || clientSecret == "" || !model.ValidID(clientID) {
		return model.Client{}, model.Application{}, errInvalidClient
	}
	// Secrets are checked against the database, never a node's copy: a rotated or deleted
	// client's old secret must stop working on every node at once.
	cl, err := s.store.GetClient(storage.Fresh(ctx), clientID)
	if err == nil && !secret.Equal(presented, cl.SecretHash) {
		return model.Client{}, model.Application{}, errInvalidClient
	}
	if errors.Is(err, storage.ErrNotFound) {
		return model.Client{}, model.Application{}, errInvalidClient
	}
	if err != nil {
		return model.Client{}, model.Application{}, fault.Wrap(err, "get client")
	}
	app, err := s.store.GetApplication(ctx, cl.TenantID, cl.AppID)
	if errors.Is(err, storage.ErrNotFound) {
		// The application was deleted while its client was being read.
		return model.Client{}, model.Application{}, errInvalidClient
	}
	if err != nil {
		return model.Client{}, model.Application{}, fault.Wrap(err, "get application")
	}
	return cl, app, nil
}

// GetClient returns a client by id, whatever its tenant, for other domain packages that have
// already established who is asking. Callers must compare its TenantID with their own.
func (s *Service) GetClient(ctx context.Context, id string) (model.Client, error) {
	cl, err := s.store.GetClient(ctx, id)
	if err != nil {
		return model.Client{}, storeErr(err, errClientNotFound, "get client")
	}
	return cl, nil
}

// GetApplication returns an application of a tenant.
func (s *Service) GetApplication(ctx context.Context, tenantID, id string) (model.Application, error) {
	app, err := s.store.GetApplication(ctx, tenantID, id)
	if err != nil {
		return model.Application{}, storeErr(err, errAppNotFound, "get application")
	}
	return app, nil
}
