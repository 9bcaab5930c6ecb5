// The badge photo: previewed once taken, shrunk on the phone before it waits in the outbox.
const MAX_SIDE = 1280;

/** The photo as a JPEG at most MAX_SIDE pixels long; the file as it is when it cannot be decoded. */
export async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.82));
    return { buffer: await blob.arrayBuffer(), type: "image/jpeg" };
  } catch (error) {
    return { buffer: await file.arrayBuffer(), type: file.type || "application/octet-stream" };
  }
}

/** Show the photo chosen in `input` beside it; returns what hides the preview again. */
export function previewPhoto(input) {
  const preview = document.getElementById("photo-preview");
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
  });
  return () => {
    preview.hidden = true;
  };
}
