// Template pools for the multi-locale corpus: TUNE (used while tuning) and TEST (held out, different wording and
// languages); `{TYPE}` is a labeled value of the sample's locale, `{NEG}` an unlabeled hard negative.

export const INTL_TUNE: string[] = [
  'Customer {PERSON} called from {PHONE_NUMBER} about the delivery.',
  'Please ship the order to:\n{PERSON}\n{STREET_ADDRESS}',
  'Name: {PERSON}\nEmail: {EMAIL_ADDRESS}\nPhone: {PHONE_NUMBER}',
  'Transfer the deposit to IBAN {IBAN_CODE}, account holder {PERSON}.',
  'Paid with card {CREDIT_CARD}; receipt sent to {EMAIL_ADDRESS}.',
  'My national insurance number is {UK_NINO}.',
  'NHS number {UK_NHS} registered at the practice.',
  'SIN: {CA_SIN}',
  'Aadhaar no. {IN_AADHAAR}, PAN {IN_PAN}',
  'DNI {ES_NIF} / NIE {ES_NIE}',
  'Codice fiscale: {IT_FISCAL_CODE}',
  'TFN {AU_TFN}, Medicare card {AU_MEDICARE}',
  'NRIC {SG_NRIC_FIN}',
  'ITIN {US_ITIN}; bank routing number {ABA_ROUTING_NUMBER}',
  'The new tenant, {PERSON}, moves into {STREET_ADDRESS} next month.',
  "What's your last name? {PERSON}.",
  'Hallo {PERSON}, deine Bestellung ist unterwegs an {STREET_ADDRESS}.',
];

export const INTL_TEST: string[] = [
  'user: update the contact for {PERSON}, mobile {PHONE_NUMBER}, mail {EMAIL_ADDRESS}',
  '{"recipient": "{PERSON}", "address": "{STREET_ADDRESS}"}',
  'Bonjour {PERSON}, votre colis part vers {STREET_ADDRESS}. Tél. {PHONE_NUMBER}',
  'Bankverbindung: {IBAN_CODE} (Kontoinhaber {PERSON})',
  'card_number={CREDIT_CARD} holder="{PERSON}"',
  'NI number: {UK_NINO}; NHS no. {UK_NHS}',
  'Her social insurance number is {CA_SIN}.',
  'UIDAI Aadhaar {IN_AADHAAR} and permanent account number {IN_PAN} on file',
  'Número de DNI: {ES_NIF}. NIE del cónyuge: {ES_NIE}.',
  'Il codice fiscale del cliente è {IT_FISCAL_CODE}.',
  'tax file number {AU_TFN} / medicare {AU_MEDICARE}',
  'FIN# {SG_NRIC_FIN}',
  'Taxpayer ITIN {US_ITIN}, ABA {ABA_ROUTING_NUMBER}',
  'Assistant: I have noted {PERSON} as the emergency contact; they live at {STREET_ADDRESS}.',
  'Send the invoice to {PERSON}, {STREET_ADDRESS}, or call {PHONE_NUMBER}.',
  'Hola {PERSON}, tu pedido llegará a {STREET_ADDRESS}.',
  'Attendees: {PERSON}, {PERSON} and {PERSON}.',
];

/** Hard-negative sentences: `{NEG}` is the look-alike; nothing else in them is PII. */
export const INTL_NEGATIVES: string[] = [
  'We just finished reading {NEG} for the book club.',
  'The conference moves to {NEG} next year.',
  'Reference {NEG} has been archived.',
  'Total: {NEG}',
  'Release {NEG} is out.',
  'Item {NEG} is back in stock.',
  'Supplier: {NEG}',
  'Die Lieferung mit der Nummer {NEG} ist angekommen.',
];
