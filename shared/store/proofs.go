package store

import (
	"context"
	"fmt"
	"time"

	"github.com/preau/preau/shared/accounts"
)

// proofItem is PROOF#<nonce> / PROOF in the session table: an anti-robot challenge already
// spent, kept until the challenge would have expired anyway.
type proofItem struct {
	PK, SK    string
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

// SpendProof records the use of a challenge's nonce, once: accounts.ErrSpent on a replay.
func (st *Store) SpendProof(ctx context.Context, nonce string, expires time.Time) error {
	err := st.putIf(ctx, st.tables.Session, proofItem{PK: proofPK(nonce), SK: skProof, ExpiresAt: expires.Unix()}, "attribute_not_exists(PK)")
	if isConditionFailed(err) {
		return accounts.ErrSpent
	}
	if err != nil {
		return fmt.Errorf("spend proof: %w", err)
	}
	return nil
}
