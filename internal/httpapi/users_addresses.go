package httpapi

import "net/http"

// removeSecondary answers DELETE of a secondary email or phone number (kind is a
// directory.Address* constant), named by the path wildcard param.
func (s *Server) removeSecondary(kind, param string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := s.cfg.Directory.RemoveSecondary(r.Context(), callerOf(r), r.PathValue("user_id"), kind, r.PathValue(param))
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// verifyJSON is Mosaic's UserVerifyEmailOrPhoneNumberInput.
type verifyJSON struct {
	ChangeToPrimary bool `json:"change_to_primary"`
}

// verifyAddress answers POST .../verify: the address is marked verified and, with
// change_to_primary, made the primary one. As in Mosaic, the body is required ({} will do) and
// the answer is 202 without a body.
func (s *Server) verifyAddress(kind, param string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in verifyJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		err := s.cfg.Directory.Verify(r.Context(), callerOf(r), r.PathValue("user_id"), kind, r.PathValue(param), in.ChangeToPrimary)
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
}
