package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/family"
)

// Activities returns the settings of every activity at every site that has some: one Query per
// activity partition (ACTIVITY#<activity>), five in all. Pages that publish deadlines read them
// to state each activity's own cutoff.
func (s *Store) Activities(ctx context.Context) ([]family.Activity, error) {
	var out []family.Activity
	for _, a := range calendar.Activities() {
		items, err := s.queryPartition(ctx, s.tables.Data, activityPK(a), "SITE#")
		if err != nil {
			return nil, fmt.Errorf("activities %s: %w", a, err)
		}
		for _, av := range items {
			var it activityItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("decode activity: %w", err)
			}
			out = append(out, family.Activity{Activity: a, Site: it.Site, SiteName: it.SiteName, Capacity: it.Capacity,
				PriceCents: it.PriceCents, NonResidentPriceCents: it.NonResident, CutoffDays: it.CutoffDays, CutoffHour: it.CutoffHour})
		}
	}
	return out, nil
}

// ActivitySettings returns an activity's settings at a site, ok false when none are set
// (reminders read the day's price with it).
func (s *Store) ActivitySettings(ctx context.Context, a calendar.Activity, site string) (family.Activity, bool, error) {
	act, err := s.Activity(ctx, a, site)
	if isNotFound(err) {
		return family.Activity{}, false, nil
	}
	if err != nil {
		return family.Activity{}, false, err
	}
	return act, true, nil
}
