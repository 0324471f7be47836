// Streams the chosen file as the raw request body to the portal's upload endpoint (no multipart, no copy through the
// Blazor circuit) and reports progress back to the component at most ~5 times a second.
export function uploadFile(inputId, url, dotnetRef) {
  const input = document.getElementById(inputId);
  const file = input && input.files && input.files[0];
  if (!file) return Promise.resolve({ status: 0, body: JSON.stringify({ error: "choose a file first" }) });
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
    const sep = url.includes("?") ? "&" : "?";
    xhr.open("POST", url + sep + "file_name=" + encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.send(file);
  });
}

// Sends several chosen files as one multipart form (field name → <input type=file> id); only inputs with a file are
// sent. Same progress reporting as uploadFile.
export function uploadForm(fields, url, dotnetRef) {
  const form = new FormData();
  let count = 0;
  for (const [name, inputId] of Object.entries(fields)) {
    const input = document.getElementById(inputId);
    const file = input && input.files && input.files[0];
    if (file) { form.append(name, file, file.name); count++; }
  }
  if (count === 0) return Promise.resolve({ status: 0, body: JSON.stringify({ error: "choose a file first" }) });
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
    xhr.send(form);
  });
}
