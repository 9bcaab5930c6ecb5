// What a scanned QR code says about a person: a vCard, a MECARD or a profile link.
function unescape(value) {
  return value.replace(/\\n/gi, "\n").replace(/\\([,;:\\])/g, "$1").trim();
}

function fromVCard(text) {
  const lines = text.replace(/\r\n[ \t]/g, "").replace(/\n[ \t]/g, "").split(/\r?\n/);
  const found = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).split(";")[0].split(".").pop().toUpperCase();
    const value = line.slice(colon + 1);
    if (name === "FN") found.full_name ??= unescape(value);
    else if (name === "N" && !found.full_name) {
      const [family = "", given = ""] = value.split(";").map(unescape);
      found.full_name = `${given} ${family}`.trim();
    } else if (name === "ORG") found.company ??= unescape(value.split(";")[0]);
    else if (name === "TITLE") found.role ??= unescape(value);
    else if (name === "EMAIL") found.email ??= unescape(value);
    else if (name === "TEL") found.phone ??= unescape(value);
    else if (name === "URL") found.url ??= unescape(value);
    else if (name === "NOTE") found.hook ??= unescape(value);
  }
  return found;
}

function fromMecard(text) {
  const found = {};
  const body = text.replace(/^MECARD:/i, "");
  for (const part of body.split(/(?<!\\);/)) {
    const colon = part.indexOf(":");
    if (colon < 0) continue;
    const key = part.slice(0, colon).toUpperCase();
    const value = unescape(part.slice(colon + 1));
    if (key === "N") {
      const [family = "", given = ""] = value.split(",");
      found.full_name ??= `${given} ${family}`.trim();
    } else if (key === "ORG") found.company ??= value;
    else if (key === "EMAIL") found.email ??= value;
    else if (key === "TEL") found.phone ??= value;
    else if (key === "URL") found.url ??= value;
    else if (key === "NOTE") found.hook ??= value;
  }
  return found;
}

/** The form fields a QR code fills, or null when it says nothing about a person. */
export function parseScan(text) {
  const value = (text || "").trim();
  if (/^BEGIN:VCARD/i.test(value)) return fromVCard(value);
  if (/^MECARD:/i.test(value)) return fromMecard(value);
  if (/^https?:\/\/\S+$/i.test(value)) return { url: value };
  if (/^mailto:/i.test(value)) return { email: value.slice(7).split("?")[0] };
  return null;
}
