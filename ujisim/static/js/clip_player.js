// The hazard-perception clip player: draws a clip package (question_bank/media/clip_package.py)
// into an SVG, frame by frame, as a pure function of the clip's time t (seconds): the same clip
// always gives the same frames (papers are reproducible, and so are clips). The road, its lines,
// junctions and the scenery are drawn here with the still scenes' projection (scene_roads.py: a
// camera 2 m above the road, focal length 450 px, horizon at row 135); road users are sprites the
// server drew once (scene_objects.py), moved and scaled here. The ego's distance is the exact
// integral of its speed keyframes, as in clip_timeline.py (a browser test compares the two); the
// camera's lateral place follows the ego's x keyframes (pkg.ego.cam, metres), and an actor with a
// show [from, until] is drawn from `from` (inclusive) to `until` (exclusive) only.
// Defines window.ujisimClip = {Clip, Player}.
"use strict";
window.ujisimClip = (() => {
  const SVGNS = "http://www.w3.org/2000/svg";
  const CX = 320, YH = 135, CAM_H = 2, FOCAL = 450, YN = 315, YF = 140, H = 400;
  const NEAR = 5, FAR = 180, MIRROR = 40, BOTTOM = CAM_H * FOCAL / (H - YH);
  const BLINK = 0.35;  // seconds an indicator or beacon is lit, then dark

  // Linear between keyframes [[t, a, b...]] (column col), the first held before, the last after.
  function lerp(frames, t, col) {
    let i = 0;
    while (i < frames.length && frames[i][0] <= t) i += 1;
    if (i === 0) return frames[0][col];
    if (i === frames.length) return frames[frames.length - 1][col];
    const a = frames[i - 1], b = frames[i];
    return a[col] + (b[col] - a[col]) * ((t - a[0]) / (b[0] - a[0]));
  }

  function last(frames, t, fallback) {
    let value = fallback;
    for (const f of frames) if (f[0] <= t) value = f[1];
    return value;
  }

  class Clip {
    constructor(pkg) {
      this.pkg = pkg;
      this.duration = pkg.duration;
      const v = pkg.ego.speed;
      this.covered = [0];
      for (let i = 1; i < v.length; i += 1) {
        this.covered.push(this.covered[i - 1] + (v[i - 1][1] + v[i][1]) / 2 * (v[i][0] - v[i - 1][0]));
      }
    }
    egoSpeed(t) { return lerp(this.pkg.ego.speed, t, 1) * 3.6; }
    egoS(t) {
      const v = this.pkg.ego.speed;
      let i = -1;
      while (i + 1 < v.length && v[i + 1][0] <= t) i += 1;
      if (i < 0) return 0;
      return this.covered[i] + (v[i][1] + lerp(v, t, 1)) / 2 * (t - v[i][0]);
    }
    // the camera's lateral place at t: metres from the centre line
    cam(t) { return lerp(this.pkg.ego.cam, t, 1); }
    place(index, t) {
      const path = this.pkg.actors[index].path;
      return [lerp(path, t, 1), lerp(path, t, 2)];
    }
    // whether the actor is there at t (its show: [from, until], null an open end)
    shown(index, t) {
      const show = this.pkg.actors[index].show;
      if (!show) return true;
      return (show[0] === null || t >= show[0]) && (show[1] === null || t < show[1]);
    }
    look(index, t) { return last(this.pkg.actors[index].looks, t, 0); }
  }

  const yOfDepth = (d) => YH + CAM_H * FOCAL / d;
  const posOfY = (y) => (YN - y) / (YN - YF);
  const kOfY = (y) => (y - YH) / CAM_H;
  const f1 = (n) => Math.round(n * 10) / 10;

  function node(tag, attrs, parent) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    if (parent) parent.appendChild(el);
    return el;
  }

  class Player {
    // svg: an empty <svg viewBox="0 0 640 400"> of the page; uid: unique on the page
    constructor(svg, pkg, uid) {
      this.svg = svg;
      this.clip = new Clip(pkg);
      this.pkg = pkg;
      this.uid = uid || "clip";
      this.road = pkg.road;
      this.cam = this.clip.cam(0);  // set for each frame by draw(t)
      this.lane = this.cam;  // where the stop line is painted: the lane we start in
      this.frames = 0;
      this.build();
    }

    build() {
      const p = this.pkg, svg = this.svg;
      svg.textContent = "";
      const defs = node("defs", {}, svg);
      defs.innerHTML = p.sprites.map((s, i) =>
        `<g id="${this.uid}-s${i}">${s.body}</g><g id="${this.uid}-l${i}">${s.lights}</g>`).join("");
      const back = node("g", {}, svg);
      back.innerHTML = p.backdrop;
      const road = node("g", {}, svg);
      this.paths = {};
      for (const [name, fill] of [["road", p.road.color], ["pave", "#b9b4a8"], ["band", p.road.color],
        ["gravel", "#8a8176"], ["marks", "#f2f2f2"], ["yellow", "#f2c12e"], ["rails", "#3b3b3b"],
        ["trunks", "#6d4c2f"], ["crowns", "#3f7d3a"], ["poles", "#8b8f94"], ["walls", "#d9cdb4"],
        ["walls2", "#c7b9a0"], ["walls3", "#e6d2c4"], ["roofs", "#b5533c"], ["openings", "#4b4f55"],
        ["windows", "#8fa8bf"]]) {
        this.paths[name] = node("path", {fill, d: ""}, road);
      }
      this.groundLayer = node("g", {}, svg);
      this.actorLayer = node("g", {}, svg);
      this.nodes = p.actors.map((a) => {
        const g = node("g", {visibility: "hidden"}, a.ground ? this.groundLayer : this.actorLayer);
        return {g, body: node("use", {}, g), lights: node("use", {}, g), look: -1, depth: 0};
      });
      if (p.road.night) {
        node("rect", {width: 640, height: 400, fill: "#03050b", opacity: 0.6,
          mask: `url(#${p.uid}-night)`}, svg);
      }
      if (p.road.weather === "rain") {
        node("rect", {width: 640, height: 400, fill: "#5d6b78", opacity: 0.18}, svg);
        this.rain = node("path", {stroke: "#dfe8f0", "stroke-width": 1.2, opacity: 0.55, fill: "none"}, svg);
      }
      if (p.road.weather === "fog") {
        node("rect", {width: 640, height: 260, y: 110, fill: "#ffffff", opacity: 0.45}, svg);
      }
      const cockpit = node("g", {}, svg);
      cockpit.innerHTML = p.cockpit;
      this.mirrorLayers = {};
      for (const side of Object.keys(p.mirrors)) {
        this.mirrorLayers[side] = node("g", {"clip-path": `url(#${p.mirrorIds[side]})`}, svg);
      }
      this.mirrorNodes = p.actors.map(() => ({g: null, use: null, side: null}));
      const [sx, sy, sr] = p.dials.speedo;
      node("circle", {cx: sx, cy: sy, r: sr * 0.86, fill: "#0e1013"}, svg);
      this.needle = node("line", {x1: sx, y1: sy, stroke: "#ff5a36", "stroke-width": 2}, svg);
      this.speedText = node("text", {x: sx, y: sy + sr * 0.62, "font-size": f1(sr * 0.42),
        "text-anchor": "middle", fill: "#fff", "font-weight": "bold", "font-family": "sans-serif"}, svg);
      const [ix, iy, gap] = p.dials.signal;
      this.arrows = [-1, 1].map((d) => {
        const tip = ix + d * (gap + 9);
        return node("polygon", {points: `${tip},${iy} ${tip - d * 8},${iy - 6} ${tip - d * 8},${iy + 6}`,
          fill: "#34e05a", visibility: "hidden"}, svg);
      });
    }

    // screen x of lateral xm metres at row y (bend: a curve's offset)
    sx(xm, y) {
      let x = CX + (xm - this.cam) * kOfY(y);
      if (this.road.feature === "curve") {
        const pos = posOfY(y);
        if (pos > 0) x += (this.road.side === "right" ? 1 : -1) * 260 * pos * pos;
      }
      return x;
    }

    // a ground quad between lateral x0..x1 (metres) and depths d0..d1 (metres ahead), or ""
    quad(x0, x1, d0, d1) {
      const a = Math.max(d0, BOTTOM), b = Math.min(d1, FAR);
      if (a >= b) return "";
      const steps = this.road.feature === "curve" ? 6 : 1;
      const pts = [];
      for (let i = 0; i <= steps; i += 1) {
        const y = yOfDepth(a + (b - a) * i / steps);
        pts.push(`${f1(this.sx(x0, y))},${f1(y)}`);
      }
      for (let i = steps; i >= 0; i -= 1) {
        const y = yOfDepth(a + (b - a) * i / steps);
        pts.push(`${f1(this.sx(x1, y))},${f1(y)}`);
      }
      return `M${pts.join("L")}Z`;
    }

    // an upright wall along the road at lateral xm between depths d0..d1, h metres tall
    wall(xm, d0, d1, h, roof) {
      const a = Math.max(d0, BOTTOM), b = Math.min(d1, FAR);
      if (a >= b) return "";
      const ya = yOfDepth(a), yb = yOfDepth(b), ka = kOfY(ya), kb = kOfY(yb);
      const xa = this.sx(xm, ya), xb = this.sx(xm, yb);
      if (roof) {
        const back = xm > 0 ? 0.9 : -0.9;
        return `M${f1(xa)},${f1(ya - h * ka)}L${f1(xb)},${f1(yb - h * kb)}L${f1(xb + back * kb)},` +
          `${f1(yb - (h + 1.8) * kb)}L${f1(xa + back * ka)},${f1(ya - (h + 1.8) * ka)}Z`;
      }
      return this.band(xm, a, b, 0, h);
    }

    // a band of a wall along the road between heights h0..h1 (metres): shop openings, windows
    band(xm, d0, d1, h0, h1) {
      const a = Math.max(d0, BOTTOM), b = Math.min(d1, FAR);
      if (a >= b) return "";
      const ya = yOfDepth(a), yb = yOfDepth(b), ka = kOfY(ya), kb = kOfY(yb);
      const xa = this.sx(xm, ya), xb = this.sx(xm, yb);
      return `M${f1(xa)},${f1(ya - h0 * ka)}L${f1(xb)},${f1(yb - h0 * kb)}L${f1(xb)},${f1(yb - h1 * kb)}` +
        `L${f1(xa)},${f1(ya - h1 * ka)}Z`;
    }

    drawRoad(t) {
      const r = this.road, half = r.half, ego = this.clip.egoS(t);
      const at = r.at == null ? null : r.at - ego;
      const d = {road: "", pave: "", band: "", gravel: "", marks: "", yellow: "", rails: "",
        trunks: "", crowns: "", poles: "", walls: "", walls2: "", walls3: "", roofs: "", openings: "",
        windows: ""};
      const roadEnd = r.feature === "t" && at !== null ? at + 10 : FAR;
      d.road = this.quad(-half, half, BOTTOM, roadEnd);
      // the gaps in the lines and the scenery where the cross road is
      const gap = (s0, s1) => at !== null && ["cross", "t", "side"].includes(r.feature) &&
        s1 > at - 1 && s0 < at + 10;
      const urban = r.area === "urban" || r.area === "residential";
      for (const side of [-1, 1]) {
        if (!urban) break;
        for (const [a, b] of this.spans(at, r, side)) d.pave += this.quad(side * half, side * (half + 2.5), a, Math.min(b, roadEnd));
      }
      if (at !== null && ["cross", "t"].includes(r.feature)) d.band += this.quad(-300, 300, at, at + 10);
      if (at !== null && r.feature === "side") {
        const s = r.side === "right" ? 1 : -1;
        d.band += this.quad(s * half, s * 300, at, at + 8);
      }
      if (at !== null && ["cross", "t", "side"].includes(r.feature)) {
        d.marks += this.quad(this.lane - 1.6 - 0.6, Math.min(this.lane + 1.6, 0), at - 1.5, at - 1);
      }
      if (at !== null && r.feature === "zebra") {
        for (let x = -half + 0.3; x < half - 0.3; x += 1.1) d.marks += this.quad(x, x + 0.55, at, at + 4);
      }
      if (at !== null && r.feature === "rail") {
        d.gravel += this.quad(-half - 1, half + 1, at, at + 4.5);
        d.rails += this.quad(-300, 300, at + 1.2, at + 1.35) + this.quad(-300, 300, at + 2.9, at + 3.05);
      }
      // lane lines: dashes 4 m long every 12 m of the road (they move as we drive)
      for (const [x, style] of r.lines) {
        const paint = style === "solid" || style === "double" ? "yellow" : "marks";
        const xs = style === "double" ? [x - 0.2, x + 0.1] : [x - 0.06];
        for (const xl of xs) {
          if (style === "dashed") {
            for (let s = Math.floor((ego + BOTTOM) / 12) * 12; s < ego + FAR; s += 12) {
              if (!gap(s, s + 4) && s + 4 < ego + roadEnd) d[paint] += this.quad(xl, xl + 0.12, s - ego, s + 4 - ego);
            }
          } else {
            for (const [a, b] of this.spans(at, r, 0)) d[paint] += this.quad(xl, xl + 0.12, a, Math.min(b, roadEnd));
          }
        }
      }
      if (r.type !== "residential") {
        for (const side of [-1, 1]) {
          for (const [a, b] of this.spans(at, r, side)) {
            d.marks += this.quad(side * (half - 0.25), side * (half - 0.13), a, Math.min(b, roadEnd));
          }
        }
      }
      this.scenery(d, ego, at, gap, roadEnd);
      for (const [name, path] of Object.entries(this.paths)) path.setAttribute("d", d[name]);
    }

    // the depth spans (metres ahead) of a road edge or line, broken by the cross road
    spans(at, r, side) {
      if (at === null || !["cross", "t", "side"].includes(r.feature)) return [[BOTTOM, FAR]];
      if (r.feature === "side" && side !== 0 && side !== (r.side === "right" ? 1 : -1)) return [[BOTTOM, FAR]];
      return [[BOTTOM, at - 1], [at + 10, FAR]];
    }

    scenery(d, ego, at, gap, roadEnd) {
      const r = this.road, half = r.half;
      const from = Math.floor((ego + BOTTOM) / 6) * 6;
      for (let s = from; s < ego + FAR; s += 6) {
        const n = Math.round(s / 6), a = s - ego, b = a + 6;
        if (gap(s - 6, s + 6) || a > roadEnd) continue;
        for (const side of [-1, 1]) {
          const hash = (n * 7 + (side > 0 ? 3 : 0)) % 11;
          if (r.area === "urban" && n % 2 === 0) {
            // a shophouse 12 m wide: shop openings below, a row of windows per floor above
            const h = 6 + (hash % 4) * 2, x = side * (half + 3);
            d[["walls", "walls2", "walls3"][hash % 3]] += this.wall(x, a, b + 6, h, false);
            d.openings += this.band(x, a + 0.8, b + 5.2, 0.2, 2.6);
            for (let floor = 3.6; floor + 1.4 < h; floor += 3.2) d.windows += this.band(x, a + 1.5, b + 4.5, floor, floor + 1.3);
          } else if (r.area === "residential" && n % 3 !== 2) {
            const x = side * (half + 3.5);
            d[["walls3", "walls", "walls2"][hash % 3]] += this.wall(x, a, b, 3.2, false);
            d.openings += this.band(x, a + 1, a + 2.2, 0, 2.1);
            d.windows += this.band(x, a + 3.2, b - 1, 1.1, 2.2);
            d.roofs += this.wall(x, a, b, 3.2, true);
          } else if ((r.area === "rural") && hash % 3 === 0) {
            const y = yOfDepth(Math.max(a, BOTTOM)), k = kOfY(y), x = this.sx(side * (half + 4), y);
            if (a < BOTTOM || a > FAR) continue;
            d.trunks += `M${f1(x - 0.15 * k)},${f1(y)}h${f1(0.3 * k)}v${f1(-2.2 * k)}h${f1(-0.3 * k)}Z`;
            const rr = 1.5 * k, cy = y - 3.4 * k;
            d.crowns += `M${f1(x - rr)},${f1(cy)}a${f1(rr)},${f1(rr)} 0 1,0 ${f1(2 * rr)},0a${f1(rr)},${f1(rr)} 0 1,0 ${f1(-2 * rr)},0Z`;
          } else if (r.area === "toll" && side > 0 && n % 7 === 0) {
            const y = yOfDepth(Math.max(a, BOTTOM)), k = kOfY(y), x = this.sx(half + 0.6, y);
            d.poles += `M${f1(x - 0.08 * k)},${f1(y)}h${f1(0.16 * k)}v${f1(-8 * k)}h${f1(-0.16 * k)}Z`;
          }
        }
      }
    }

    drawActors(t) {
      const p = this.pkg, order = [];
      const blinkOn = Math.floor(t / BLINK) % 2 === 0;
      p.actors.forEach((a, i) => {
        const n = this.nodes[i], m = this.mirrorNodes[i];
        const [s, xm] = this.clip.place(i, t);
        const depth = s - this.clip.egoS(t);
        const look = this.clip.look(i, t);
        if (look !== n.look) {
          n.body.setAttribute("href", `#${this.uid}-s${look}`);
          n.lights.setAttribute("href", `#${this.uid}-l${look}`);
          n.look = look;
        }
        const blink = p.sprites[look].blink;
        n.lights.setAttribute("visibility", !blink || blinkOn ? "visible" : "hidden");
        const shown = this.clip.shown(i, t);
        if (shown && depth >= BOTTOM && depth <= FAR) {
          const y = yOfDepth(depth), k = kOfY(y), x = this.sx(xm, y);
          n.g.setAttribute("transform", `translate(${f1(x)},${f1(y)}) scale(${(k / p.spriteK).toFixed(4)})`);
          n.g.setAttribute("visibility", "visible");
          n.depth = depth;
          if (!a.ground) order.push(n);
        } else {
          n.g.setAttribute("visibility", "hidden");
        }
        this.mirror(m, a, i, shown ? depth : null, xm - this.cam, look, blink && !blinkOn);
      });
      // far to near: a nearer road user hides a farther one
      order.sort((u, v) => v.depth - u.depth);
      const children = this.actorLayer.children;
      if (order.some((n, i) => children[i] !== n.g)) for (const n of order) this.actorLayer.appendChild(n.g);
    }

    mirror(m, actor, index, depth, lateral, look, dark) {
      const side = depth !== null && depth < 0 && depth >= -MIRROR ? this.mirrorSide(lateral) : null;
      if (m.side && m.side !== side) { m.g.remove(); m.g = null; m.side = null; }
      if (!side || !this.mirrorLayers[side]) return;
      if (!m.g) {
        m.g = node("g", {}, this.mirrorLayers[side]);
        m.body = node("use", {}, m.g);
        m.lights = node("use", {}, m.g);
        m.side = side;
      }
      const [x, y, w, h] = this.pkg.mirrors[side];
      const mlook = actor.mirror || look;
      m.body.setAttribute("href", `#${this.uid}-s${mlook}`);
      m.lights.setAttribute("href", `#${this.uid}-l${mlook}`);
      m.lights.setAttribute("visibility", dark ? "hidden" : "visible");
      const hz = y + h * 0.42, vx = x + w * (side === "left" ? 0.7 : side === "right" ? 0.3 : 0.5);
      const pos = Math.min(Math.max(posOfY(yOfDepth(-depth)), 0), 1);
      const gy = hz + (1 - pos) * (h * 0.55) + 2, k = (gy - hz) / 0.9, gx = vx + lateral * k * 0.45;
      m.g.setAttribute("transform", `translate(${f1(gx)},${f1(gy)}) scale(${(k / this.pkg.spriteK).toFixed(4)})`);
    }

    mirrorSide(lateral) {
      if (this.pkg.cls === "A") return lateral < -1.2 ? "left" : lateral > 1.2 ? "right" : "rear";
      return lateral < 0 ? "left" : "right";
    }

    drawDash(t) {
      const [sx, sy, sr] = this.pkg.dials.speedo, speed = this.clip.egoSpeed(t);
      const a = (225 - 270 * Math.min(speed, 160) / 160) * Math.PI / 180;
      this.needle.setAttribute("x2", f1(sx + sr * 0.8 * Math.cos(a)));
      this.needle.setAttribute("y2", f1(sy - sr * 0.8 * Math.sin(a)));
      this.speedText.textContent = String(Math.round(speed));
      const signal = last(this.pkg.ego.signal, t, "off"), on = Math.floor(t / BLINK) % 2 === 0;
      this.arrows[0].setAttribute("visibility", on && ["left", "hazard"].includes(signal) ? "visible" : "hidden");
      this.arrows[1].setAttribute("visibility", on && ["right", "hazard"].includes(signal) ? "visible" : "hidden");
      if (this.rain) {
        const off = (t * 260) % 400;
        let d = "";
        for (let i = 0; i < 110; i += 1) {
          const x = (i * 73 + 17) % 640, y = ((i * 151 + 29) % 400 + off) % 400;
          d += `M${x},${f1(y)}l-4,14`;
        }
        this.rain.setAttribute("d", d);
      }
    }

    // the frame at clip time t (seconds): a pure function of t
    draw(t) {
      const time = Math.min(Math.max(t, 0), this.clip.duration);
      this.cam = this.clip.cam(time);
      this.drawRoad(time);
      this.drawActors(time);
      this.drawDash(time);
      this.frames += 1;
    }
  }

  return {Clip, Player};
})();
