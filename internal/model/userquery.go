package model

import "time"

// UserQuery selects a page of users for a search, and says how to order them.
type UserQuery struct {
	TenantID string
	AppID    string // when set, only users linked to this application
	// Filter is the condition users must meet; nil matches everyone.
	Filter *UserFilter
	// Prefix, when set, matches users whose email or phone number starts with it (Mosaic's
	// search_prefix). Emails are stored lower-cased, so a prefix for them should be too.
	Prefix string
	// Sort is the attribute to order by, one of the UserSort* constants; empty is by
	// creation. Users without a value come last either way; ties are ordered by id.
	Sort   string
	Desc   bool
	Offset int
	Limit  int
	// After, when set, starts the page just after this place in the order (a keyset
	// cursor), in place of Offset: its cost does not grow with how deep the page is.
	After *UserKey
	// CountUpTo, when positive, bounds the count of a query with a Filter or a Prefix: the
	// total is the number of matches or CountUpTo, whichever is smaller, so that counting
	// costs the same however many users there are. A query without either is counted
	// exactly from kept counts in any case.
	CountUpTo int
}

// UserKey is a user's place in a search's order: the value of the sorted attribute and the
// id that breaks ties.
type UserKey struct {
	// Value is epoch milliseconds (int64) for created_at and last_auth, the text for email
	// and phone_number; nil when the user has no value.
	Value any
	ID    string
}

// KeyOf returns u's place in an order by sort (one of the UserSort* constants; empty is by
// creation).
func KeyOf(u User, sort string) UserKey {
	k := UserKey{ID: u.ID}
	switch sort {
	case UserSortEmail:
		if u.Email != "" {
			k.Value = u.Email
		}
	case UserSortPhone:
		if u.PhoneNumber != "" {
			k.Value = u.PhoneNumber
		}
	case UserSortLastAuth:
		if u.LastAuthAt != nil {
			k.Value = u.LastAuthAt.UnixMilli()
		}
	default:
		k.Value = u.CreatedAt.UnixMilli()
	}
	return k
}

// Orders of a user search.
const (
	UserSortCreatedAt = "created_at"
	UserSortEmail     = "email"
	UserSortPhone     = "phone_number"
	UserSortLastAuth  = "last_auth"
)

// UserFilter is a condition on users: a SCIM filter of the users API, checked and with its
// values normalised. It is either a combination of Terms (Op is FilterAnd or FilterOr) or the
// comparison of one attribute with Value.
type UserFilter struct {
	Op    string
	Terms []UserFilter
	// Attr is one of the UserAttr* constants.
	Attr string
	// Path names a member of custom_data or custom_app_data, one key per element. Keys are
	// made of letters, digits, _ and - only.
	Path []string
	// Value is a string, an int64 or a float64, or a bool (for eq and ne on custom data
	// only); nil for FilterPresent. Times are epoch milliseconds (int64), birthdays
	// YYYY-MM-DD strings.
	Value any
}

// Operators of a UserFilter.
const (
	FilterAnd        = "and"
	FilterOr         = "or"
	FilterEqual      = "eq"
	FilterNotEqual   = "ne" // the negation of eq: an absent value is not equal
	FilterGreater    = "gt"
	FilterGreaterEq  = "ge"
	FilterLess       = "lt"
	FilterLessEq     = "le"
	FilterStartsWith = "sw"
	FilterPresent    = "pr" // set, and neither null nor an empty string
)

// Attributes a UserFilter compares, named as Mosaic's users API names them. Name
// attributes compare without regard to the case of ASCII letters; every other string
// compares exactly (emails and usernames are stored lower-cased). Multi-valued attributes
// match when any of their values does.
const (
	UserAttrID                = "user_id"
	UserAttrEmail             = "email"
	UserAttrPhone             = "phone_number"
	UserAttrUsername          = "username"
	UserAttrExternalUserID    = "external_user_id"
	UserAttrStatus            = "status"
	UserAttrCreatedAt         = "created_at"
	UserAttrUpdatedAt         = "updated_at"
	UserAttrLastAuth          = "last_auth"
	UserAttrBirthday          = "birthday"
	UserAttrNameTitle         = "name.title"
	UserAttrFirstName         = "name.first_name"
	UserAttrMiddleName        = "name.middle_name"
	UserAttrLastName          = "name.last_name"
	UserAttrSecondaryEmails   = "secondary_emails"
	UserAttrSecondaryPhones   = "secondary_phone_numbers"
	UserAttrExternalAccountID = "external_account_id" // on the application link
	UserAttrCustomData        = "custom_data"         // with Path
	UserAttrCustomAppData     = "custom_app_data"     // on the application link, with Path
)

// LoginMethodUse is how a user has signed in with one login method: their first and last
// successful logins with it, as the audit log records them.
type LoginMethodUse struct {
	UserID string
	Method string // an AMR* value
	First  time.Time
	Last   time.Time
}
