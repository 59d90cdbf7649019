// Template pools of the pre-issue-19 eval corpus (frozen copy): TUNE and TEST (held out), `{TYPE}` and `{NEG}` slots.
// `{TYPE}` is replaced by a generated value and labeled; `{NEG}` by a hard negative (never labeled).

export const TUNE_TEMPLATES: string[] = [
  'User: Hi, I am {PERSON}. My email is {EMAIL_ADDRESS} and my phone is {PHONE_NUMBER}.\nAssistant: Thanks, I have updated your profile.',
  'Please charge card {CREDIT_CARD} for the renewal. Contact: {EMAIL_ADDRESS}',
  '{"customer":{"name":"{PERSON}","ssn":"{US_SSN}","dob":"{DATE_OF_BIRTH}"},"status":"active"}',
  'name,email,phone\n{PERSON},{EMAIL_ADDRESS},{PHONE_NUMBER}',
  '2024-05-01T10:22:11Z INFO login ok user={EMAIL_ADDRESS} ip={IP_ADDRESS}',
  'const client = new Client({ apiKey: "{API_KEY}" });',
  'Wire the refund to IBAN {IBAN_CODE} (account holder {PERSON}).',
  'My social security number is {US_SSN} and my passport number is {US_PASSPORT}.',
  'Ship to: {STREET_ADDRESS}. Recipient phone {PHONE_NUMBER}.',
  'Driver license: {US_DRIVER_LICENSE}, date of birth {DATE_OF_BIRTH}.',
  'Assistant: Here is the summary. {PERSON} reported the issue from {IP_ADDRESS} at 3pm.',
  'Dear {PERSON},\nyour order has shipped to {STREET_ADDRESS}.\nBest regards, Support',
  'export OPENAI_API_KEY={API_KEY}',
  'SSN: {US_SSN}\nName: {PERSON}\nAddress: {STREET_ADDRESS}',
  'log: connection from {IP_ADDRESS} rejected; token={API_KEY}',
  'Order {NEG} was placed by {EMAIL_ADDRESS}.',
];

export const TEST_TEMPLATES: string[] = [
  'user: can you draft a reply to {PERSON}? her address is {EMAIL_ADDRESS}, cell {PHONE_NUMBER}\nassistant: Sure! Here is a draft.',
  '{"id": 4412, "contact": {"full_name": "{PERSON}", "email": "{EMAIL_ADDRESS}", "phone": "{PHONE_NUMBER}"}}',
  'id,full_name,card_number,amount\n88,{PERSON},{CREDIT_CARD},129.99',
  '[2025-02-11 08:14:03] WARN payment declined for card {CREDIT_CARD} (client {IP_ADDRESS})',
  'The applicant, {PERSON}, provided SSN {US_SSN} and was born on {DATE_OF_BIRTH}.',
  'Assistant: I found the record. Social Security: {US_SSN}. Mailing address: {STREET_ADDRESS}.',
  'Please update the payee IBAN to {IBAN_CODE} before Friday. Thanks, {PERSON}',
  'headers = {"Authorization": "Bearer {API_KEY}"}',
  'aws_access_key_id = {API_KEY}',
  'Traveler {PERSON}, passport no. {US_PASSPORT}, DOB {DATE_OF_BIRTH}',
  "Here's the customer info you asked for:\n- Name: {PERSON}\n- Email: {EMAIL_ADDRESS}\n- Lives at {STREET_ADDRESS}",
  "Verify identity: driver's license {US_DRIVER_LICENSE} issued to {PERSON}.",
  "SELECT * FROM users WHERE email = '{EMAIL_ADDRESS}' AND last_ip = '{IP_ADDRESS}';",
  'Hi {PERSON}, we tried to reach you at {PHONE_NUMBER} about invoice {NEG}.',
  'config:\n  slack_token: {API_KEY}\n  owner: {EMAIL_ADDRESS}',
  'Refund {NEG} to card ending in the number {CREDIT_CARD}, cardholder {PERSON}.',
  'Summary: {PERSON} (ssn {US_SSN}) moved to {STREET_ADDRESS} and changed banks (IBAN {IBAN_CODE}).',
  'key: {API_KEY}',
];

/** Hard-negative sentences: `{NEG}` is the look-alike; no other PII is present. */
export const NEGATIVE_TEMPLATES: string[] = [
  'Order {NEG} has shipped and will arrive Tuesday.',
  'request_id={NEG} status=200 latency=41ms',
  '{"trace": "{NEG}", "level": "info", "msg": "cache warmed"}',
  'Fixed in commit {NEG}; see the changelog.',
  'Total due: {NEG}. Payment is expected within 30 days.',
  'Build {NEG} passed all checks.',
  'sku,qty,ref\nA-100,3,{NEG}',
  'Assistant: The tracking number is {NEG}. It usually takes 3-5 business days.',
  'event at {NEG} processed by worker 7',
  'Reference number: {NEG}',
];
