// QR codes read with the camera, on every browser (see qr.js: no library comes from elsewhere).
import { parseScan } from "../scan.js";
import { readQr } from "./qr.js";

/** Offer the scan button where there is a camera; `onScan(fields)` gets what a code says. */
export function offerScanner(page, onScan) {
  if (!navigator.mediaDevices?.getUserMedia) return;
  const button = document.getElementById("scan");
  const dialog = document.getElementById("scanner");
  const status = document.getElementById("scanner-status");
  let stream = null;

  async function start() {
    dialog.showModal();
    status.textContent = "";
    const video = document.getElementById("scanner-video");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      status.textContent = dialog.dataset.none;
      return;
    }
    video.srcObject = stream;
    await video.play();
    const tick = async () => {
      if (!stream) return;
      const text = video.readyState >= 2 ? await readQr(page, video) : null;
      const fields = text ? parseScan(text) : null;
      if (fields) {
        dialog.close();
        onScan(fields);
        return;
      }
      setTimeout(tick, 250);
    };
    tick();
  }

  function stop() {
    for (const track of stream?.getTracks() || []) track.stop();
    stream = null;
    if (dialog.open) dialog.close();
  }

  button.hidden = false;
  button.addEventListener("click", start);
  dialog.querySelector("[data-action=close-scan]").addEventListener("click", stop);
  dialog.addEventListener("close", stop);
}

/** A badge photo with a QR code on it fills the form as a scan would (`onScan(fields)`). */
export function readPhotos(page, input, onScan) {
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      const text = await readQr(page, bitmap);
      const fields = text ? parseScan(text) : null;
      if (fields && input.files[0] === file) onScan(fields);
    } catch (error) {
      // not an image the browser can read, or no decoder: the photo is kept as it is
    }
  });
}
