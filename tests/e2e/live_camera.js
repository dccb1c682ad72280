// A stand-in for a live person in front of the camera (tests only; see tests/webcam.py
// LivePerson). getUserMedia answers with a canvas stream that shows pictures of a real face
// (window.__livePoses: look, turn_left, half_left, ..., look_up, half_up, blink, mouth as image
// URLs) and follows the page's own prompt (#prompt[data-action]) as a person would: it reacts
// some time after each prompt, moves the head through a half-way pose, holds the action until
// the prompt changes, and comes back to face the camera. Every frame gets sensor noise, as a camera's does.
(() => {
  const REACT_MS = 500;
  const HALF_MS = 250;
  // the actions the head moves into through a half-way pose, and back out of
  const HALF = { turn_left: "half_left", turn_right: "half_right", look_up: "half_up" };
  const poses = window.__livePoses;
  if (!poses) return;
  const images = {};
  const loaded = Promise.all(Object.entries(poses).map(([name, url]) => new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve();
    image.src = url;
    images[name] = image;
  })));
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const noise = new Int8Array(640 * 480 * 4 + 4096);
  for (let i = 0; i < noise.length; i += 1) noise[i] = Math.round((Math.random() - 0.5) * 8);
  let drawn = 0;
  let asked = "look";
  let since = performance.now();
  let from = "look";

  function pose(now) {
    const prompt = document.getElementById("prompt");
    const action = (prompt && prompt.dataset.action) || "look";
    if (action !== asked) {
      from = shown(now);
      asked = action;
      since = now;
    }
    return shown(now);
  }

  function shown(now) {
    const t = now - since;
    if (t < REACT_MS) {
      if (HALF[from] && t > REACT_MS - HALF_MS) return HALF[from];
      return from;
    }
    if (HALF[asked] && t < REACT_MS + HALF_MS) return HALF[asked];
    return asked;
  }

  function draw() {
    const now = performance.now();
    ctx.drawImage(images[pose(now)], 0, 0, 640, 480);
    const frame = ctx.getImageData(0, 0, 640, 480);
    const data = frame.data;
    // a new stretch of the noise every draw, never the same one twice within a minute: two
    // draws of one pose with the same noise are the same picture, a copy the server refuses
    // (with a random offset of 4096, a burst's ~500 pairs of same-pose frames held such a
    // pair about one time in ten: 1 - (1 - 1/4096)^500)
    const offset = (drawn++ % 1024) * 4;
    for (let i = 0; i < data.length; i += 1) data[i] += noise[i + offset];
    ctx.putImageData(frame, 0, 0);
  }

  loaded.then(() => {
    draw();
    setInterval(draw, 66);
  });
  // a new stream for each call: the page stops a stream's tracks when it changes camera
  navigator.mediaDevices.getUserMedia = async () => {
    await loaded;
    return canvas.captureStream(15);
  };
})();
