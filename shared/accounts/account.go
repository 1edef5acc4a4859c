package accounts

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/preau/preau/shared/fault"
)

// Account is a parent's account. Its identifier is the normalised e-mail.
type Account struct {
	Email        string
	Civility     string // "M" or "Mme"
	LastName     string
	FirstName    string
	PasswordHash string // PHC string
	CreatedAt    time.Time
	ConfirmedAt  time.Time // zero until the e-mail link is followed
	FamilyID     string    // "" until linked with a subscriber code
	// PendingCode is the subscriber code given at sign-up. It is checked again on
	// confirmation (it may have been revoked meanwhile) and its family linked then.
	PendingCode string
	// SessionStamp is renewed on every password change or reset; sessions made with another
	// stamp are over, unless it is one of KeptStamps.
	SessionStamp string
	// KeptStamps are earlier stamps whose sessions the parent chose to keep open when they last
	// changed their password (empty by default: a change closes every other session).
	KeptStamps []string
	// PasswordChangedAt is the last password change or reset (zero if never). Reset links made
	// before it no longer work: the change renewed SessionStamp, which links carry.
	PasswordChangedAt time.Time
}

// Confirmed reports whether the account's e-mail was confirmed.
func (a Account) Confirmed() bool { return !a.ConfirmedAt.IsZero() }

// DisplayName is how e-mails greet the parent: "M. Dupont", "Mme Martin" (the French
// abbreviation of Monsieur takes a full stop, that of Madame none).
func (a Account) DisplayName() string {
	switch a.Civility {
	case "M":
		return "M. " + a.LastName
	case "":
		return a.FirstName + " " + a.LastName
	}
	return a.Civility + " " + a.LastName
}

// Civilities accepted at sign-up.
var Civilities = []string{"M", "Mme"}

// NormaliseEmail trims and lower-cases an e-mail address (the account identifier).
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

const maxNameLength = 60

// checkEmail returns the French reason email (normalised) is refused, or "".
func checkEmail(email string) string {
	if email == "" {
		return "Saisissez votre adresse e-mail."
	}
	if len(email) > 254 {
		return "L'adresse e-mail est trop longue."
	}
	addr, err := mail.ParseAddress(email)
	local, domain, _ := strings.Cut(email, "@")
	if err != nil || addr.Address != email || local == "" || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsAny(email, " <>\"(),;:[]\\") {
		return "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
	}
	return ""
}

// checkName returns the French reason a name is refused, or "".
func checkName(v, what string) string {
	if v == "" {
		return "Saisissez votre " + what + "."
	}
	if utf8.RuneCountInString(v) > maxNameLength {
		return "Votre " + what + " est trop long (60 caractères au plus)."
	}
	for _, r := range v {
		if !(unicode.IsLetter(r) || r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.') {
			return "Votre " + what + " ne peut contenir que des lettres, des espaces, des traits d'union et des apostrophes."
		}
	}
	return ""
}

func cleanName(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkCivility returns the French reason a civility is refused, or "".
func checkCivility(c string) string {
	for _, ok := range Civilities {
		if c == ok {
			return ""
		}
	}
	return "Choisissez votre civilité : M ou Mme."
}

// ValidateProfile cleans and checks civility and names; field errors go to f.
func ValidateProfile(civility, lastName, firstName string, f *fault.Fields) (string, string, string) {
	civility, lastName, firstName = strings.TrimSpace(civility), cleanName(lastName), cleanName(firstName)
	if m := checkCivility(civility); m != "" {
		f.Add("civility", m)
	}
	if m := checkName(lastName, "nom"); m != "" {
		f.Add("lastName", m)
	}
	if m := checkName(firstName, "prénom"); m != "" {
		f.Add("firstName", m)
	}
	return civility, lastName, firstName
}

// ValidateNewPassword checks a new password and its confirmation into f (fields named as given).
func ValidateNewPassword(pw, confirmation, pwField, confField string, f *fault.Fields) {
	if m := CheckPassword(pw); m != "" {
		f.Add(pwField, m)
	}
	if confirmation == "" {
		f.Add(confField, "Confirmez le mot de passe.")
	} else if confirmation != pw {
		f.Add(confField, "Les deux mots de passe ne sont pas identiques.")
	}
}

func codeShapeMessage(prefix string) string {
	return "Le code abonné n'a pas la bonne forme : il commence par " + prefix + " suivi de 4 caractères, d'un tiret et de 4 caractères."
}
