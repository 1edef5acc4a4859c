package mail

import "context"

// contactNotice is what the "Nous contacter" e-mails carry.
type contactNotice struct {
	Subject, Name, Email, Body, Link string
}

// SendContactReceived tells the town hall's contact address that a parent wrote through "Nous
// contacter": the subject, who, their address, the message and a link to the back-office.
func (m *Mailer) SendContactReceived(ctx context.Context, to, subject, name, email, body, link string) error {
	return m.renderAndSend(ctx, "contact-received", to, "", contactNotice{Subject: subject, Name: name, Email: email, Body: body, Link: link})
}

// SendContactAnswer sends the town hall's answer to the parent who wrote, with a link to the
// thread (Mon espace) or to "Nous contacter".
func (m *Mailer) SendContactAnswer(ctx context.Context, to, name, subject, body, link string) error {
	return m.renderAndSend(ctx, "contact-answer", to, name, contactNotice{Subject: subject, Body: body, Link: link})
}
