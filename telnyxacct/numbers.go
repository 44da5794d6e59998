package telnyxacct

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/smsbridge/smsbridge/telnyx"
)

// FeatureSet says what a number can do for SMS or MMS.
type FeatureSet struct {
	DomesticTwoWay        bool `json:"domestic_two_way"`
	InternationalInbound  bool `json:"international_inbound"`
	InternationalOutbound bool `json:"international_outbound"`
}

// NumberFeatures lists a number's messaging features; nil means not offered.
type NumberFeatures struct {
	SMS *FeatureSet `json:"sms,omitempty"`
	MMS *FeatureSet `json:"mms,omitempty"`
}

// NumberHealth is Telnyx's sending-health summary of a number.
type NumberHealth struct {
	MessageCount         int     `json:"message_count"`
	InboundOutboundRatio float64 `json:"inbound_outbound_ratio"`
	SuccessRatio         float64 `json:"success_ratio"`
	SpamRatio            float64 `json:"spam_ratio"`
}

// NumberSettings is a phone number with its messaging settings (the spec's
// PhoneNumberWithMessagingSettings).
type NumberSettings struct {
	ID                        string         `json:"id"`
	RecordType                string         `json:"record_type,omitempty"`
	PhoneNumber               string         `json:"phone_number"`
	CountryCode               string         `json:"country_code,omitempty"`
	Type                      string         `json:"type,omitempty"` // longcode, tollfree, shortcode (or the hyphenated forms)
	MessagingProfileID        string         `json:"messaging_profile_id,omitempty"`
	MessagingProduct          string         `json:"messaging_product,omitempty"`
	EligibleMessagingProducts []string       `json:"eligible_messaging_products,omitempty"`
	TrafficType               string         `json:"traffic_type,omitempty"`
	Features                  NumberFeatures `json:"features"`
	Health                    *NumberHealth  `json:"health,omitempty"`
	OrganizationID            string         `json:"organization_id,omitempty"`
	Tags                      []string       `json:"tags,omitempty"`
	CreatedAt                 telnyx.APITime `json:"created_at"`
	UpdatedAt                 telnyx.APITime `json:"updated_at"`
}

// MobileNumberSettings is a mobile number with its messaging settings (the
// spec's MobilePhoneNumberWithMessagingSettings).
type MobileNumberSettings struct {
	ID                 string         `json:"id"`
	RecordType         string         `json:"record_type,omitempty"`
	PhoneNumber        string         `json:"phone_number"`
	CountryCode        string         `json:"country_code,omitempty"`
	Type               string         `json:"type,omitempty"`
	MessagingProfileID string         `json:"messaging_profile_id,omitempty"`
	MessagingProduct   string         `json:"messaging_product,omitempty"`
	TrafficType        string         `json:"traffic_type,omitempty"`
	Features           NumberFeatures `json:"features"`
	OrganizationID     string         `json:"organization_id,omitempty"`
	Tags               []string       `json:"tags,omitempty"`
	CreatedAt          telnyx.APITime `json:"created_at"`
	UpdatedAt          telnyx.APITime `json:"updated_at"`
}

// NumberFilter narrows GET /phone_numbers/messaging; zero fields are not sent.
type NumberFilter struct {
	MessagingProfileID  string // filter[messaging_profile_id] (a UUID)
	PhoneNumber         string // filter[phone_number]: exact, comma-separated list allowed
	PhoneNumberContains string // filter[phone_number][contains]
	Type                string // filter[type]: tollfree, longcode or shortcode
	Sort                string // sort[phone_number]: asc or desc
	PageSize            int    // iterator page size (default 100, max 250)
}

func (f NumberFilter) query() (url.Values, error) {
	q := url.Values{}
	if f.MessagingProfileID != "" {
		q.Set("filter[messaging_profile_id]", f.MessagingProfileID)
	}
	if f.PhoneNumber != "" {
		q.Set("filter[phone_number]", f.PhoneNumber)
	}
	if f.PhoneNumberContains != "" {
		q.Set("filter[phone_number][contains]", f.PhoneNumberContains)
	}
	switch f.Type {
	case "":
	case "tollfree", "longcode", "shortcode":
		q.Set("filter[type]", f.Type)
	default:
		return nil, invalidf("number filter type must be tollfree, longcode or shortcode, not %q", f.Type)
	}
	switch f.Sort {
	case "":
	case "asc", "desc":
		q.Set("sort[phone_number]", f.Sort)
	default:
		return nil, invalidf("number sort must be asc or desc, not %q", f.Sort)
	}
	return q, nil
}

// ListNumberSettingsPage fetches one page of phone numbers with their
// messaging settings.
func (c *Client) ListNumberSettingsPage(ctx context.Context, f NumberFilter, page, size int) ([]NumberSettings, PageMeta, error) {
	q, err := f.query()
	if err != nil {
		return nil, PageMeta{}, err
	}
	return listPage[NumberSettings](ctx, c, "/phone_numbers/messaging", q, page, size)
}

// ListNumberSettings iterates over the account's phone numbers with their
// messaging settings, fetching pages as they are read.
func (c *Client) ListNumberSettings(ctx context.Context, f NumberFilter) iter.Seq2[NumberSettings, error] {
	q, err := f.query()
	if err != nil {
		return func(yield func(NumberSettings, error) bool) { yield(NumberSettings{}, err) }
	}
	return paginate[NumberSettings](ctx, c, "/phone_numbers/messaging", q, f.PageSize)
}

// ListMobileNumberSettingsPage fetches one page of mobile numbers with their
// messaging settings (the endpoint takes no filter).
func (c *Client) ListMobileNumberSettingsPage(ctx context.Context, page, size int) ([]MobileNumberSettings, PageMeta, error) {
	return listPage[MobileNumberSettings](ctx, c, "/mobile_phone_numbers/messaging", nil, page, size)
}

// ListMobileNumberSettings iterates over the account's mobile numbers;
// pageSize 0 means 100.
func (c *Client) ListMobileNumberSettings(ctx context.Context, pageSize int) iter.Seq2[MobileNumberSettings, error] {
	return paginate[MobileNumberSettings](ctx, c, "/mobile_phone_numbers/messaging", nil, pageSize)
}

// GetNumberSettings fetches a phone number's messaging settings by its id
// (GET /phone_numbers/{id}/messaging).
func (c *Client) GetNumberSettings(ctx context.Context, id string) (*NumberSettings, error) {
	if id == "" {
		return nil, invalidf("GET /phone_numbers/{id}/messaging: id is required")
	}
	var env envelope[NumberSettings]
	if err := c.Do(ctx, http.MethodGet, "/phone_numbers/"+url.PathEscape(id)+"/messaging", nil, nil, &env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// GetMobileNumberSettings fetches a mobile number's messaging settings by
// its id (GET /mobile_phone_numbers/{id}/messaging).
func (c *Client) GetMobileNumberSettings(ctx context.Context, id string) (*MobileNumberSettings, error) {
	if id == "" {
		return nil, invalidf("GET /mobile_phone_numbers/{id}/messaging: id is required")
	}
	var env envelope[MobileNumberSettings]
	if err := c.Do(ctx, http.MethodGet, "/mobile_phone_numbers/"+url.PathEscape(id)+"/messaging", nil, nil, &env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// NumberSettingsUpdate changes a number's messaging settings. A nil field is
// left as it is.
type NumberSettingsUpdate struct {
	// MessagingProfileID assigns the number to a profile; a pointer to ""
	// unassigns it.
	MessagingProfileID *string
	// MessagingProduct sets the messaging product (e.g. "P2P", "A2P").
	MessagingProduct *string
	// Tags replaces the number's tags when not nil (an empty, non-nil slice
	// clears them).
	Tags []string
}

// UpdateNumberSettings changes a phone number's messaging profile, product
// or tags (PATCH /phone_numbers/{id}/messaging). It is never resent after a
// 5xx or a failure after writing (see RetryPolicy).
func (c *Client) UpdateNumberSettings(ctx context.Context, id string, u NumberSettingsUpdate) (*NumberSettings, error) {
	const ep = "PATCH /phone_numbers/{id}/messaging"
	if id == "" {
		return nil, invalidf("%s: id is required", ep)
	}
	b := map[string]any{}
	if u.MessagingProfileID != nil {
		b["messaging_profile_id"] = *u.MessagingProfileID
	}
	if u.MessagingProduct != nil {
		b["messaging_product"] = *u.MessagingProduct
	}
	if u.Tags != nil {
		b["tags"] = u.Tags
	}
	if len(b) == 0 {
		return nil, invalidf("%s: nothing to change", ep)
	}
	var env envelope[NumberSettings]
	if err := c.Do(ctx, http.MethodPatch, "/phone_numbers/"+url.PathEscape(id)+"/messaging", nil, b, &env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// ErrNumberNotFound is returned (wrapped) by NumberSettingsByE164 when the
// account has no such number.
var ErrNumberNotFound = fmt.Errorf("telnyx: phone number not found on the account")

// NumberSettingsByE164 finds a number's messaging settings from its E.164
// form, through the list endpoint's exact filter[phone_number] (the spec
// documents no lookup of the {id} form by number).
func (c *Client) NumberSettingsByE164(ctx context.Context, e164 string) (*NumberSettings, error) {
	if e164 == "" || e164[0] != '+' {
		return nil, invalidf("NumberSettingsByE164: %q is not in +E.164 form", e164)
	}
	items, _, err := c.ListNumberSettingsPage(ctx, NumberFilter{PhoneNumber: e164}, 1, 2)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if items[i].PhoneNumber == e164 {
			return &items[i], nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNumberNotFound, maskNumber(e164))
}

// maskNumber keeps a number's country code and last two digits for
// messages that may be logged.
func maskNumber(s string) string {
	if len(s) <= 5 {
		return "***"
	}
	return s[:2] + "******" + s[len(s)-2:]
}
