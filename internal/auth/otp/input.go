package otp

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/directory"
	"github.com/latchkey/latchkey/internal/model"
)

// Limits of a send's optional inputs. Mosaic documents the SMS ones and the ten approval keys;
// the lengths of approval keys and values are Latchkey's, to keep tokens small.
const (
	maxSMSMessage = 140
	maxSenderID   = 11
)

// sendInput is what a valid send normalised.
type sendInput struct {
	idType, norm string
	identifier   string // idType + ":" + norm
	customEmail  string
	customPhone  string
	// smsPhone is the SMS destination when it is known before the user is looked up (a
	// custom number, or the phone-number identifier itself); it feeds the prefix limit.
	smsPhone string
	approval json.RawMessage
}

// parseSend lists every problem of a send and normalises its identifier, custom addresses and
// approval data.
func parseSend(req OTPSend) (sendInput, []string) {
	var p []string
	switch req.Channel {
	case model.ChannelEmail, model.ChannelSMS, model.ChannelDirect:
	case "":
		p = append(p, "channel is required")
	default:
		p = append(p, "channel must be one of email, sms, direct")
	}
	in := sendInput{idType: req.IdentifierType}
	idProblems := auth.ValidateIdentifier(req.IdentifierType, req.Identifier)
	p = append(p, idProblems...)
	if len(idProblems) == 0 {
		norm, err := directory.NormalizeIdentifier(req.IdentifierType, req.Identifier)
		if err != nil {
			p = append(p, "identifier: "+err.Error())
		}
		in.norm, in.identifier = norm, req.IdentifierType+":"+norm
	}
	if req.ExpiresIn < 0 || req.ExpiresIn > 60 {
		p = append(p, "expires_in must be between 1 and 60 minutes")
	}
	if req.CustomEmail != "" {
		if req.Channel != model.ChannelEmail {
			p = append(p, "custom_email applies only to the email channel")
		} else if e, err := directory.NormalizeEmail(req.CustomEmail); err != nil {
			p = append(p, "custom_email: "+err.Error())
		} else {
			in.customEmail = e
		}
	}
	if req.CustomPhone != "" {
		if req.Channel != model.ChannelSMS {
			p = append(p, "custom_phone_number applies only to the sms channel")
		} else if ph, err := directory.NormalizePhone(req.CustomPhone); err != nil {
			p = append(p, "custom_phone_number: "+err.Error())
		} else {
			in.customPhone = ph
		}
	}
	if req.SMS != nil {
		p = append(p, smsProblems(*req.SMS)...)
	}
	var ap []string
	in.approval, ap = auth.ParseApprovalData(req.ApprovalData)
	p = append(p, ap...)
	if req.Channel == model.ChannelSMS {
		in.smsPhone = in.customPhone
		if in.smsPhone == "" && req.IdentifierType == model.IdentifierPhone {
			in.smsPhone = in.norm
		}
	}
	return in, p
}

// smsProblems checks Mosaic's custom_sms_input. The message is a template: it must name both
// the code and the application, so that no SMS can omit who sent it, and fit one 140-character
// SMS before substitution.
func smsProblems(sms SMSContent) []string {
	var p []string
	if msg := sms.Message; msg != "" {
		if !strings.Contains(msg, "{otp}") || !strings.Contains(msg, "{app}") {
			p = append(p, "custom_sms_input.custom_message must contain both {otp} and {app}")
		}
		if utf8.RuneCountInString(msg) > maxSMSMessage {
			p = append(p, "custom_sms_input.custom_message must be at most 140 characters")
		}
		if strings.ContainsFunc(msg, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
			p = append(p, "custom_sms_input.custom_message must not contain control characters")
		}
	}
	if id := sms.SenderID; id != "" {
		// Alphanumeric sender ids are at most 11 GSM characters and need a letter: carriers
		// refuse all-digit ones, which could pass for a phone number.
		valid := utf8.RuneCountInString(id) <= maxSenderID && strings.ContainsFunc(id, isASCIILetter) &&
			!strings.ContainsFunc(id, func(r rune) bool { return !isASCIILetter(r) && !(r >= '0' && r <= '9') && r != ' ' })
		if !valid {
			p = append(p, "custom_sms_input.sender_id must be 1 to 11 letters, digits or spaces, with at least one letter")
		}
	}
	return p
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
