// QR codes read with the camera, where the browser can (no library is downloaded from elsewhere).
import { parseScan } from "../scan.js";

/** Offer the scan button where the browser reads QR codes; `onScan(fields)` gets what a code says. */
export function offerScanner(onScan) {
  if (!("BarcodeDetector" in self && navigator.mediaDevices?.getUserMedia)) return;
  const button = document.getElementById("scan");
  const dialog = document.getElementById("scanner");
  let stream = null;

  async function start() {
    dialog.showModal();
    const video = document.getElementById("scanner-video");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      document.getElementById("scanner-status").textContent = dialog.dataset.none;
      return;
    }
    video.srcObject = stream;
    await video.play();
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    const tick = async () => {
      if (!stream) return;
      const codes = await detector.detect(video).catch(() => []);
      const fields = codes.length ? parseScan(codes[0].rawValue) : null;
      if (fields) {
        dialog.close();
        onScan(fields);
        return;
      }
      setTimeout(tick, 300);
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
