// Reads a .vcf on stdin with ical.js (ICAL.parse reads vCard 3.0 and 4.0 too) and prints, for
// each card, every property's values as ical.js decodes them, as JSON.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const parsed = ICAL.parse(readFileSync(0, "utf8"));
const cards = (typeof parsed[0] === "string" ? [parsed] : parsed).map((jcard) => {
  const card = new ICAL.Component(jcard);
  const properties = {};
  for (const property of card.getAllProperties()) {
    // Structured values (N, ADR) stay lists; binary, date and URI values as the text ical.js gives.
    const values = property.getValues().map((v) => (v && typeof v === "object" && !Array.isArray(v) ? v.toString() : v));
    (properties[property.name] ??= []).push(values);
  }
  return properties;
});
console.log(JSON.stringify(cards));
