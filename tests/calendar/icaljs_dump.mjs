// Reads an iCalendar file on stdin with ical.js (Thunderbird's parser) and prints its events as JSON.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
// As Thunderbird does: the file's own VTIMEZONEs define its zones.
for (const zone of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);

const utc = (time) => (time.isDate ? time.toString() : time.convertToZone(ICAL.Timezone.utcTimezone).toString());
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    all_day: event.startDate.isDate,
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: utc(event.startDate),
    end: component.hasProperty("dtend") ? utc(event.endDate) : null,
  };
});
console.log(JSON.stringify({ name: calendar.getFirstPropertyValue("x-wr-calname"), events }));
