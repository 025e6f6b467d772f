package auth

// HeldAnswers returns how many answers the service has held to AnswerGrid.
func (s *Service) HeldAnswers() int64 { return s.heldAnswers.Load() }
