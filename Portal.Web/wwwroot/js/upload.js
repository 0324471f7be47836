// Uploads from the browser straight to the portal's API (no copy through the Blazor circuit), reporting progress back
// to the component (its [JSInvokable] OnUploadProgress) at most ~5 times a second.

// POSTs body and resolves with { status, body }; status 0 means the request never got an answer.
function send(url, body, contentType, dotnetRef) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    let last = 0;
    xhr.upload.onprogress = (e) => {
      const now = Date.now();
      if (now - last < 200 && e.loaded < e.total) return;
      last = now;
      dotnetRef.invokeMethodAsync("OnUploadProgress", e.loaded, e.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, body: JSON.stringify({ error: "network error during upload" }) });
    xhr.open("POST", url);
    // The portal's CSRF guard (Accounts/CrossSiteRequestGuard.cs): only its own pages can add this header.
    xhr.setRequestHeader("X-Portal-Request", "1");
    if (contentType) xhr.setRequestHeader("Content-Type", contentType);
    xhr.send(body);
  });
}

const nothingChosen = () => Promise.resolve({ status: 0, body: JSON.stringify({ error: "choose a file first" }) });

// Streams the chosen file as the raw request body (application/octet-stream, no multipart).
export function uploadFile(inputId, url, dotnetRef) {
  const input = document.getElementById(inputId);
  const file = input && input.files && input.files[0];
  if (!file) return nothingChosen();
  const sep = url.includes("?") ? "&" : "?";
  return send(url + sep + "file_name=" + encodeURIComponent(file.name), file, "application/octet-stream", dotnetRef);
}

// Sends several chosen files as one multipart form (field name → <input type=file> id); only inputs with a file are
// sent. The browser sets the multipart content type with its boundary.
export function uploadForm(fields, url, dotnetRef) {
  const form = new FormData();
  let count = 0;
  for (const [name, inputId] of Object.entries(fields)) {
    const input = document.getElementById(inputId);
    const file = input && input.files && input.files[0];
    if (file) { form.append(name, file, file.name); count++; }
  }
  return count === 0 ? nothingChosen() : send(url, form, null, dotnetRef);
}
