/* Ferritin charts on the patient page and the clinician report.
 *
 * No inline script (the Content-Security-Policy forbids it): the section carries
 * data-chart-url; this file fetches that JSON (rlsapp.charts.views.chart_data)
 * and draws whichever canvases the server rendered. The server decides what is
 * drawable; an empty or thin history never reaches this file as an empty canvas.
 * The same numbers are in server-rendered tables next to each chart.
 */
(function () {
  "use strict";

  // Line and text colours: the Okabe–Ito palette (told apart with every common colour
  // vision deficiency), its light hues (orange, sky blue, yellow) darkened in the same hue
  // so that every line is at least 3:1 against the white page. tests/charts/test_palette.py
  // reads this table and checks each contrast; text colours (*Text) need 4.5:1.
  const COLORS = {
    ferritin: "#0072B2",
    threshold: "#D55E00",
    reference: "#6C757D",
    infusion: "#000000",
    projection: "#0072B2",
    population: "#9A6700",
    hemoglobin: "#CC79A7",
    hematocrit: "#9A6700",
    tsat: "#009E73",
    symptoms: "#4D4D4D",
    course: "#007A59",
    medicineEvent: "#9A6700",
    projectionText: "#0072B2",
    populationText: "#9A6700",
  };
  const EPISODE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#9A6700", "#2B88C4", "#000000"];
  // Fills under lines, not lines: light by design.
  const FILLS = {
    oralIron: "rgba(0,158,115,0.10)",
    medicine: "rgba(0,114,178,0.28)",
    agonist: "rgba(230,159,0,0.40)",
    band: "rgba(0,114,178,0.15)",
    populationBand: "rgba(230,159,0,0.18)",
  };
  // Blood tests drawn with their own point shape too, so colour is not the only cue.
  const POINT_STYLES = { hemoglobin: "rectRot", hematocrit: "rect", tsat: "crossRot" };
  const BLOOD = ["hemoglobin", "hematocrit", "tsat"];
  const SYMBOLS = { "<": "<", "<=": "≤", ">": ">", ">=": "≥" };
  // Above this many points a series is decimated (LTTB) so long histories stay fast.
  const DECIMATE_SAMPLES = 400;
  const REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function day(iso) {
    // Local midnight, so a date never shows as the day before west of UTC.
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(y, m - 1, d).getTime();
  }

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function shortDate(ms) {
    // The same "6 Aug 2027" as the server-rendered tables, whatever the browser's locale.
    const d = new Date(ms);
    return d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear();
  }

  function isCompact(canvas) {
    // The canvas itself is 300 px wide until Chart.js sizes it: measure its box instead.
    return canvas.parentNode.clientWidth < 600;
  }

  function round(value, digits) {
    const f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  }

  function showError(section, message) {
    const box = section.querySelector(".chart-error");
    if (box) {
      box.textContent = message;
      box.classList.remove("d-none");
    }
  }

  // Horizontal lines: the threshold and the guideline levels. They carry no label on the
  // plot, where a label would sit on a result; the legend names them instead.
  function annotationLines(data) {
    const annotations = {};
    annotations.threshold = {
      type: "line",
      scaleID: "y",
      value: data.threshold,
      borderColor: COLORS.threshold,
      borderWidth: 2,
    };
    data.reference_lines.forEach(function (line) {
      annotations["reference" + line.value] = {
        type: "line",
        scaleID: "y",
        value: line.value,
        borderColor: COLORS.reference,
        borderWidth: 1,
        borderDash: [2, 3],
        label: { display: false, content: line.label },
      };
    });
    return annotations;
  }

  // Labels for dated marks (infusions, the estimated date, oral iron courses, medicine
  // events) are drawn in a strip above the plot area, never over a result: each at its
  // date in the first of labelRows() rows with room, shortened if none has, left out if the
  // short form does not fit either (the line stays; the tables below name it).
  function labelRows(compact) {
    return compact ? 3 : 2;
  }
  const LABEL_GAP = 8;

  function labelFont(compact) {
    return { size: compact ? 12 : 13, family: window.Chart.defaults.font.family };
  }

  function labelStripHeight(compact) {
    return labelRows(compact) * (labelFont(compact).size + 8) + LABEL_GAP;
  }

  const topLabels = {
    id: "rlsTopLabels",
    afterDraw: function (chart, _args, options) {
      const items = (options && options.items) || [];
      const area = chart.chartArea;
      const scale = chart.scales.x;
      const ctx = chart.ctx;
      const font = options.font;
      const rowHeight = font.size + 8;
      // Each row's taken [left, right] spans: labels come in priority order, not by date.
      const rows = [];
      for (let r = 0; r < options.rows; r++) rows.push([]);
      const free = function (row, left, right) {
        return row.every(function (span) { return right + 3 <= span[0] || left >= span[1] + 3; });
      };
      const boxes = [];
      ctx.save();
      ctx.font = font.size + "px " + font.family;
      ctx.textBaseline = "middle";
      items.forEach(function (item) {
        const x = scale.getPixelForValue(item.x);
        if (x < area.left - 1 || x > area.right + 1) return;
        let placed = null;
        [item.text, item.short].forEach(function (text) {
          if (placed || !text) return;
          const width = ctx.measureText(text).width + 8;
          const left = Math.max(0, Math.min(x - width / 2, chart.width - width));
          const row = rows.findIndex(function (taken) { return free(taken, left, left + width); });
          if (row >= 0) placed = { text: text, width: width, left: left, row: row };
        });
        if (!placed) return;
        rows[placed.row].push([placed.left, placed.left + placed.width]);
        // Row 0 nearest the plot; the box ends LABEL_GAP above it.
        const top = area.top - LABEL_GAP - (placed.row + 1) * rowHeight + 2;
        const height = rowHeight - 2;
        ctx.strokeStyle = item.color;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, top + height);
        ctx.lineTo(x, area.top);
        ctx.stroke();
        ctx.fillStyle = item.filled ? item.color : "#ffffff";
        ctx.fillRect(placed.left, top, placed.width, height);
        ctx.strokeRect(placed.left + 0.5, top + 0.5, placed.width - 1, height - 1);
        ctx.fillStyle = item.filled ? "#ffffff" : item.color;
        ctx.fillText(placed.text, placed.left + 4, top + height / 2);
        boxes.push({
          id: item.id, text: placed.text, left: placed.left, top: top,
          right: placed.left + placed.width, bottom: top + height, size: font.size,
          color: ctx.fillStyle, background: item.filled ? item.color : "#ffffff",
        });
      });
      ctx.restore();
      stripLabels(chart, options, boxes);
      // Read by the browser tests: where each label went.
      chart.$topLabels = boxes;
    },
  };

  // Every drawn point of the visible series, in pixels.
  function drawnPoints(chart) {
    const points = [];
    chart.data.datasets.forEach(function (ds, i) {
      if (!chart.isDatasetVisible(i)) return;
      chart.getDatasetMeta(i).data.forEach(function (el) {
        if (!el.skip && el.options && el.options.radius > 0) points.push(el);
      });
    });
    return points;
  }

  // A medicine's name inside its strip at the foot of the plot: at the first place along
  // the strip where it covers no point, or not at all (the caption and the medicines
  // page name it).
  function stripLabels(chart, options, boxes) {
    const strips = options.strips || [];
    if (!strips.length) return;
    const x = chart.scales.x;
    const y = chart.scales.y;
    const area = chart.chartArea;
    const ctx = chart.ctx;
    const size = 11;
    const points = drawnPoints(chart);
    ctx.save();
    ctx.font = size + "px " + options.font.family;
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#212529";
    strips.forEach(function (strip) {
      const start = Math.max(x.getPixelForValue(strip.xMin), area.left);
      const end = Math.min(x.getPixelForValue(strip.xMax), area.right);
      const width = ctx.measureText(strip.text).width + 4;
      const middle = (y.getPixelForValue(strip.yMin) + y.getPixelForValue(strip.yMax)) / 2;
      const top = middle - size / 2 - 1;
      const bottom = middle + size / 2 + 1;
      for (let left = start + 2; left + width <= end; left += width / 2) {
        const clear = points.every(function (p) {
          const r = p.options.radius + 1;
          return p.x + r < left || p.x - r > left + width || p.y + r < top || p.y - r > bottom;
        });
        if (!clear) continue;
        ctx.fillText(strip.text, left + 2, middle);
        boxes.push({ id: "medicine", text: strip.text, left: left, top: top, right: left + width, bottom: bottom, size: size, inside: true });
        return;
      }
    });
    ctx.restore();
  }

  // Oral iron courses as light full-height bands, RLS medicines as strips along the foot
  // of the chart (dopamine agonists in amber), augmentation and other dated medicine
  // events as dashed lines (issue 17). A course or medicine still taken runs to today.
  function treatmentBands(data, annotations, labels, strips, allDays, maxFerritin) {
    const today = day(data.today);
    (data.courses || []).forEach(function (course, i) {
      allDays.push(day(course.start));
      annotations["course" + i] = {
        type: "box",
        xMin: day(course.start),
        xMax: course.end ? day(course.end) : today,
        backgroundColor: FILLS.oralIron,
        borderWidth: 0,
        // Named above the chart (topLabels), not over the results.
        label: { display: false, content: course.label },
      };
      labels.push({ id: "course" + i, x: day(course.start), text: course.label, short: "Iron", color: COLORS.course });
    });
    const strip = maxFerritin * 0.045;
    (data.medicines || []).forEach(function (medicine, i) {
      allDays.push(day(medicine.start));
      annotations["medicine" + i] = {
        type: "box",
        xMin: day(medicine.start),
        xMax: medicine.end ? day(medicine.end) : today,
        yMin: strip * i,
        yMax: strip * (i + 0.85),
        backgroundColor: medicine.dopamine_agonist ? FILLS.agonist : FILLS.medicine,
        borderWidth: 0,
        // Named inside the strip where it covers no point (stripLabels).
        label: { display: false, content: medicine.label },
      };
      strips.push({
        xMin: day(medicine.start), xMax: medicine.end ? day(medicine.end) : today,
        yMin: strip * i, yMax: strip * (i + 0.85), text: medicine.label,
      });
    });
    (data.medicine_events || []).forEach(function (event, i) {
      annotations["medicineEvent" + i] = {
        type: "line",
        scaleID: "x",
        value: day(event.date),
        borderColor: COLORS.medicineEvent,
        borderDash: [4, 3],
        borderWidth: 1.5,
        label: { display: false, content: event.label },
      };
      labels.push({
        id: "medicineEvent" + i, x: day(event.date), text: event.label,
        short: event.label.split(/[ :,]/)[0], color: COLORS.medicineEvent,
      });
    });
  }

  // Legend entries for what is not a dataset: the threshold, the guideline levels and
  // the infusions, each with its own line swatch.
  function extraLegendItems(data) {
    const items = [
      { text: "Threshold " + data.threshold + " µg/L", strokeStyle: COLORS.threshold, fillStyle: COLORS.threshold, lineWidth: 2 },
    ];
    if (data.reference_lines.length) {
      items.push({
        text: data.reference_lines.map(function (l) { return l.value; }).join(" and ") + " µg/L (guidelines)",
        strokeStyle: COLORS.reference, fillStyle: "#ffffff", lineWidth: 1, lineDash: [2, 3],
      });
    }
    if (data.infusions.length) {
      items.push({ text: "Infusion", strokeStyle: COLORS.infusion, fillStyle: COLORS.infusion, lineWidth: 2 });
    }
    return items.map(function (item) {
      return Object.assign({ hidden: false, extra: true, fontColor: "#212529", pointStyle: "line" }, item);
    });
  }

  function historyConfig(data, canvas) {
    const compact = isCompact(canvas);
    const ferritin = data.ferritin.map(function (p) {
      return { x: day(p.date), y: p.value, c: p.comparator, lab: p.lab, ex: p.excluded, why: p.left_out };
    });
    const datasets = [
      {
        id: "ferritin",
        label: "Ferritin (µg/L)",
        data: ferritin,
        yAxisID: "y",
        borderColor: COLORS.ferritin,
        backgroundColor: COLORS.ferritin,
        borderWidth: 2,
        pointRadius: ferritin.length > 150 ? 0 : 3,
        pointStyle: function (ctx) {
          return ctx.raw && ctx.raw.c ? "triangle" : "circle";
        },
        // A draw left out of the fits is drawn hollow.
        pointBackgroundColor: function (ctx) {
          return ctx.raw && ctx.raw.ex ? "#ffffff" : COLORS.ferritin;
        },
        tension: 0,
      },
    ];

    const p = data.projection;
    if (p && p.fit_line) {
      datasets.push({
        id: "fit",
        label: "Fitted decline, current infusion",
        data: p.fit_line.map(function (q) {
          return { x: day(q.date), y: q.value };
        }),
        yAxisID: "y",
        borderColor: COLORS.projection,
        backgroundColor: COLORS.projection,
        borderWidth: 1.5,
        borderDash: [2, 2],
        pointRadius: 0,
      });
    }
    const hasBand = p && p.band && p.band.length;
    if (hasBand) {
      // The 80 % band of the estimate: where ferritin is likely to be, from the latest
      // result to the late end of the window (or the chart's horizon, data.py); the line
      // inside is its middle.
      const population = p.is_population_default;
      const color = population ? COLORS.population : COLORS.projection;
      const band = function (key) {
        return p.band.map(function (q) { return { x: day(q.date), y: q[key] }; });
      };
      datasets.push({
        id: "band-high",
        label: "Estimate, likely range (8 in 10)",
        data: band("high"),
        yAxisID: "y",
        borderColor: "rgba(0,0,0,0)",
        backgroundColor: population ? FILLS.populationBand : FILLS.band,
        pointRadius: 0,
        fill: "+1",
      });
      datasets.push({
        id: "band-low",
        label: "Estimate, likely range (low end)",
        data: band("low"),
        yAxisID: "y",
        borderColor: "rgba(0,0,0,0)",
        pointRadius: 0,
        fill: false,
      });
      datasets.push({
        id: "projection",
        label: population
          ? "Estimate from population default (not your data)"
          : "Estimate (middle of the range)",
        data: band("mid"),
        yAxisID: "y",
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        borderDash: [8, 5],
        pointRadius: 0,
      });
    }

    // Hemoglobin, hematocrit, TSAT and the symptom score share the right axis: one
    // scale of plain numbers (g/dL, %, 0–10), so the chart has two y-axes at most.
    data.blood.forEach(function (series) {
      if (!series.points.length) return;
      datasets.push({
        id: series.code,
        label: series.label + " (" + series.unit + ")",
        data: series.points.map(function (q) {
          return { x: day(q.date), y: q.value, c: q.comparator, lab: q.lab };
        }),
        yAxisID: "other",
        hidden: true,
        borderColor: COLORS[series.code],
        backgroundColor: COLORS[series.code],
        borderWidth: 2,
        pointStyle: POINT_STYLES[series.code],
        pointRadius: series.points.length > 150 ? 0 : 4,
        unit: series.unit,
      });
    });
    if (data.symptoms.length) {
      datasets.push({
        id: "symptoms",
        label: "Symptom score (0–10)",
        data: data.symptoms.map(function (q) {
          return { x: day(q.date), y: q.value };
        }),
        yAxisID: "other",
        borderColor: COLORS.symptoms,
        backgroundColor: COLORS.symptoms,
        borderWidth: 1.5,
        borderDash: [1, 2],
        pointStyle: "star",
        pointRadius: data.symptoms.length > 150 ? 0 : 4,
        order: 10,
      });
    }

    const annotations = annotationLines(data);
    const labels = [];
    // An episode measured at another lab than the one before: say so at its infusion,
    // so a jump is not read as a change in the person (assays differ).
    const labChanged = {};
    data.episodes.forEach(function (episode) {
      if (episode.lab_change) labChanged[episode.first_date] = true;
    });
    data.infusions.forEach(function (infusion, i) {
      const changed = labChanged[infusion.date] ? " · lab changed" : "";
      annotations["infusion" + i] = {
        type: "line",
        scaleID: "x",
        value: day(infusion.date),
        borderColor: COLORS.infusion,
        borderWidth: 2,
        // Not drawn on the plot (see topLabels); kept here as the infusion's name.
        label: { display: false, content: infusion.label + changed },
      };
      labels.push({
        id: "infusion" + i,
        x: day(infusion.date),
        text: infusion.label + changed,
        short: infusion.dose_mg + " mg" + (changed ? " ·" : ""),
        color: COLORS.infusion,
        filled: true,
      });
    });
    if (hasBand && p.crossing) {
      const shown = Math.min(day(p.crossing), day(p.band[p.band.length - 1].date));
      const past = shown < day(p.crossing) ? " →" : "";
      annotations.crossing = {
        type: "point",
        xValue: shown,
        yValue: data.threshold,
        radius: 4,
        borderColor: p.is_population_default ? COLORS.population : COLORS.projection,
        backgroundColor: "#ffffff",
        borderWidth: 2,
        display: !past,
      };
      labels.unshift({
        id: "crossing",
        x: shown,
        text: (p.is_population_default ? "Population default: " : "Estimate: ") + shortDate(day(p.crossing)) + past,
        short: shortDate(day(p.crossing)) + past,
        color: p.is_population_default ? COLORS.populationText : COLORS.projectionText,
      });
    }

    const allDays = ferritin.map(function (q) { return q.x; })
      .concat(data.infusions.map(function (i) { return day(i.date); }));
    if (hasBand) allDays.push(day(p.band[p.band.length - 1].date));
    const maxFerritin = Math.max.apply(null, ferritin.map(function (q) { return q.y; }).concat([data.threshold, 300]));
    const strips = [];
    treatmentBands(data, annotations, labels, strips, allDays, maxFerritin);
    // Placed in order of importance (the estimate, infusions, then treatments), each
    // kind by date.
    const rank = function (item) {
      return item.id === "crossing" ? 0 : item.id.indexOf("infusion") === 0 ? 1 : 2;
    };
    labels.sort(function (a, b) { return rank(a) - rank(b) || a.x - b.x; });

    return {
      type: "line",
      data: { datasets: datasets },
      plugins: [topLabels],
      options: {
        parsing: false,
        normalized: true,
        animation: REDUCED_MOTION || ferritin.length > 300 ? false : { duration: 400 },
        maintainAspectRatio: false,
        layout: { padding: { top: labelStripHeight(compact) } },
        interaction: { mode: "nearest", intersect: false, axis: "x" },
        scales: {
          x: {
            type: "time",
            min: Math.min.apply(null, allDays) - 14 * 864e5,
            max: Math.max.apply(null, allDays) + 30 * 864e5,
            time: { tooltipFormat: "d MMM yyyy", minUnit: "month" },
            ticks: { maxRotation: 0, autoSkipPadding: 12 },
          },
          y: {
            position: "left",
            beginAtZero: true,
            suggestedMax: Math.ceil((maxFerritin * 1.08) / 50) * 50,
            title: { display: true, text: "Ferritin µg/L" },
          },
          other: {
            position: "right",
            display: "auto",
            beginAtZero: true,
            suggestedMax: 10,
            title: { display: true, text: compact ? "g/dL, %, 0–10" : "Hb g/dL · Hct, TSAT % · symptoms 0–10" },
            grid: { drawOnChartArea: false },
          },
        },
        plugins: {
          decimation: { enabled: true, algorithm: "lttb", samples: DECIMATE_SAMPLES },
          rlsTopLabels: { items: labels, strips: strips, font: labelFont(compact), rows: labelRows(compact) },
          legend: {
            position: "bottom",
            labels: {
              boxWidth: compact ? 24 : 30,
              font: { size: compact ? 12 : 13 },
              color: "#212529",
              // Every series has an entry and its swatch (hidden ones struck through);
              // the band's low edge is one entry with its high edge.
              generateLabels: function (chart) {
                const own = window.Chart.defaults.plugins.legend.labels.generateLabels(chart)
                  .filter(function (item) {
                    return chart.data.datasets[item.datasetIndex].id !== "band-low";
                  })
                  .map(function (item) {
                    const ds = chart.data.datasets[item.datasetIndex];
                    // A line swatch with the series' dash, so dashed and solid differ.
                    item.pointStyle = ds.id === "band-high" ? "rect" : "line";
                    item.fillStyle = ds.id === "band-high" ? ds.backgroundColor : ds.borderColor;
                    item.strokeStyle = ds.id === "band-high" ? ds.backgroundColor : ds.borderColor;
                    item.lineWidth = 3;
                    return item;
                  });
                return own.concat(extraLegendItems(data));
              },
              usePointStyle: true,
            },
            onClick: function (event, item, legend) {
              if (item.extra) return;
              window.Chart.defaults.plugins.legend.onClick.call(this, event, item, legend);
              syncToggles(legend.chart);
              clearOfThreshold(legend.chart, data.threshold);
            },
          },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                const raw = ctx.raw || {};
                const ds = ctx.dataset;
                let text = (SYMBOLS[raw.c] || "") + ctx.formattedValue;
                if (["ferritin", "fit", "projection", "band-high", "band-low"].indexOf(ds.id) >= 0) text += " µg/L";
                else if (ds.unit) text += " " + ds.unit;
                let label = ds.label.replace(/ \(.*\)$/, "") + ": " + text;
                if (raw.lab) label += " · " + raw.lab;
                // A left-out draw says why (the point is hollow): "left out: illness".
                if (raw.why) label += " · " + raw.why;
                return label;
              },
            },
          },
          annotation: { annotations: annotations },
        },
      },
    };
  }

  function overlayConfig(data, canvas) {
    const compact = isCompact(canvas);
    const datasets = [];
    let maxWeeks = 0;
    data.episodes.forEach(function (episode, i) {
      if (!episode.points.length) return;
      const color = EPISODE_COLORS[i % EPISODE_COLORS.length];
      const when = shortDate(day(episode.date));
      datasets.push({
        id: "episode" + episode.number,
        label: when + " · " + episode.label,
        data: episode.points.map(function (q) {
          maxWeeks = Math.max(maxWeeks, q.weeks);
          return { x: q.weeks, y: q.value, c: q.comparator };
        }),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: 3,
        pointStyle: function (ctx) {
          return ctx.raw && ctx.raw.c ? "triangle" : "circle";
        },
      });
      if (episode.linear) {
        const line = episode.linear.line;
        datasets.push({
          id: "fit" + episode.number,
          label: "fit, " + episode.linear.decline_per_week + " µg/L per week",
          data: line.map(function (q) {
            return { x: q.weeks, y: q.value };
          }),
          borderColor: color,
          borderWidth: 1.5,
          borderDash: [6, 4],
          pointRadius: 0,
        });
      }
    });
    return {
      type: "line",
      data: { datasets: datasets },
      options: {
        parsing: false,
        maintainAspectRatio: false,
        animation: REDUCED_MOTION ? false : { duration: 300 },
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear",
            min: 0,
            suggestedMax: Math.ceil(maxWeeks / 4) * 4,
            title: { display: true, text: "Weeks since infusion" },
            ticks: { stepSize: compact ? 8 : 4 },
          },
          y: { beginAtZero: true, title: { display: true, text: "Ferritin µg/L" } },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              boxWidth: 14,
              font: { size: compact ? 10 : 12 },
            },
          },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? "Week " + round(items[0].parsed.x, 1) : "";
              },
              label: function (ctx) {
                const raw = ctx.raw || {};
                return ctx.dataset.label + ": " + (SYMBOLS[raw.c] || "") + ctx.formattedValue + " µg/L";
              },
            },
          },
          annotation: { annotations: { threshold: annotationLines(data).threshold } },
        },
      },
    };
  }

  // A blood series drawn along the threshold line reads as the threshold: when one runs
  // within THRESHOLD_CLEARANCE px of it, the right axis is stretched so it sits lower.
  const THRESHOLD_CLEARANCE = 16;

  function clearOfThreshold(chart, threshold) {
    // Read afresh each time: every update merges the scale options into new objects.
    delete chart.config.options.scales.other.max;
    chart.update("none");
    if (!chart.scales.other) return;
    const line = chart.scales.y.getPixelForValue(threshold);
    const near = chart.data.datasets.some(function (ds, i) {
      if (BLOOD.indexOf(ds.id) < 0 || !chart.isDatasetVisible(i)) return false;
      const points = chart.getDatasetMeta(i).data;
      if (!points.length) return false;
      const mean = points.reduce(function (sum, p) { return sum + p.y; }, 0) / points.length;
      return Math.abs(mean - line) < THRESHOLD_CLEARANCE;
    });
    if (near) {
      chart.config.options.scales.other.max = Math.ceil((chart.scales.other.max * 1.5) / 5) * 5;
      chart.update("none");
    }
  }

  // The checkboxes under the chart (hemoglobin, hematocrit, TSAT, symptoms) get the
  // series' colour swatch and stay in step with the legend, which toggles them too.
  function wireToggles(section, chart) {
    chart.$toggles = [];
    section.querySelectorAll("[data-series-toggle]").forEach(function (input) {
      const index = chart.data.datasets.findIndex(function (ds) {
        return ds.id === input.dataset.seriesToggle;
      });
      if (index < 0) return;
      const label = section.querySelector("label[for='" + input.id + "']");
      if (label && !label.querySelector(".series-swatch")) {
        const swatch = document.createElement("span");
        swatch.className = "series-swatch";
        swatch.setAttribute("aria-hidden", "true");
        // CSSOM, not a style attribute: the Content-Security-Policy allows this.
        swatch.style.backgroundColor = chart.data.datasets[index].borderColor;
        label.insertBefore(swatch, label.firstChild);
      }
      input.checked = chart.isDatasetVisible(index);
      input.addEventListener("change", function () {
        chart.setDatasetVisibility(index, input.checked);
        clearOfThreshold(chart, chart.$threshold);
      });
      chart.$toggles.push({ input: input, index: index });
    });
  }

  function syncToggles(chart) {
    (chart.$toggles || []).forEach(function (t) {
      t.input.checked = chart.isDatasetVisible(t.index);
    });
  }

  function draw(section, data) {
    const charts = [];
    const history = section.querySelector("#history-chart");
    if (history) {
      const chart = new window.Chart(history, historyConfig(data, history));
      chart.$threshold = data.threshold;
      clearOfThreshold(chart, data.threshold);
      wireToggles(section, chart);
      charts.push(chart);
    }
    const overlay = section.querySelector("#overlay-chart");
    if (overlay) charts.push(new window.Chart(overlay, overlayConfig(data, overlay)));
    // Chart.js needs telling that the page is about to be printed at another width.
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    window.addEventListener("afterprint", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    return charts;
  }

  function load(section) {
    if (!window.Chart) {
      section.dataset.chartState = "error";
      showError(section, "The charting library did not load; the numbers are in the tables below.");
      return;
    }
    fetch(section.dataset.chartUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        draw(section, data);
        section.dataset.chartState = "drawn";
      })
      .catch(function () {
        section.dataset.chartState = "error";
        showError(section, "The charts could not be loaded; the numbers are in the tables below. Reload the page to try again.");
      });
  }

  document.querySelectorAll("[data-chart-url]").forEach(load);
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
