// Charts on the report pages: every <div class="xqt-chart" data-chart="{...}"> is drawn with ECharts, which the page
// loads first from /assets/echarts.min.js. The server writes the spec:
//   {type: "bar" | "line" | "stacked" | "pie", title, categories: [str], series: [{name, data: [number | null]}],
//    unit?: "%" | "元" | ..., highlight?: [category index]}   (highlight: drawn in red, e.g. shortages)
// The SVG renderer keeps the charts sharp on paper; they are resized to the page before printing.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") {
    console.warn("charts.js: ECharts is not loaded; include /assets/echarts.min.js before this script");
    return;
  }

  const RED = "#dc3545"; // Bootstrap's danger colour
  const RED_BAND = "rgba(220, 53, 69, 0.08)";
  const FONT = 'system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
  const LABEL_FONT_SIZE = 12;
  const LABEL_MAX_WIDTH = 96; // px; longer category names are cut with "…" and shown whole in the tooltip
  // A4 portrait less print.css's 15 mm margins is 180 mm = 680 CSS px, less the Bootstrap container's padding.
  const PRINT_WIDTH = 650;

  const charts = [];

  function formatValue(value, unit) {
    if (value === null || value === undefined || value === "-" || Number.isNaN(value)) return "—";
    return value.toLocaleString() + unit;
  }

  // Width of a label in px, counting CJK and full-width characters twice as wide as Latin ones.
  function textWidth(text) {
    let units = 0;
    for (const ch of String(text)) units += ch.charCodeAt(0) > 0x2e80 ? 2 : 1.1;
    return (units * LABEL_FONT_SIZE) / 2;
  }

  // Category labels that never overlap: level if they fit side by side, otherwise rotated and cut to a fixed width,
  // and thinned out by ECharts only when even rotated labels cannot all be shown.
  function categoryLabels(spec, chartWidth) {
    const slot = (chartWidth * 0.85) / Math.max(spec.categories.length, 1);
    const fits = Math.max(0, ...spec.categories.map(textWidth)) <= slot - 8;
    return {
      interval: fits || slot >= LABEL_FONT_SIZE * 1.6 ? 0 : "auto", // a rotated label needs about a line of room
      rotate: fits ? 0 : 35,
      width: fits ? Math.max(slot - 8, LABEL_FONT_SIZE) : LABEL_MAX_WIDTH,
      overflow: "truncate",
      hideOverlap: true,
      fontSize: LABEL_FONT_SIZE,
    };
  }

  // Category names as axis data; highlighted ones carry their own red, bold label style.
  function categoryData(spec) {
    const highlighted = new Set(spec.highlight || []);
    return spec.categories.map(function (name, i) {
      return highlighted.has(i) ? { value: name, textStyle: { color: RED, fontWeight: "bold" } } : name;
    });
  }

  function pieOption(spec, unit) {
    const highlighted = new Set(spec.highlight || []);
    const first = spec.series[0] || { name: "", data: [] };
    return {
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          const value = formatValue(p.value, unit) + " (" + p.percent + "%)";
          return echarts.format.encodeHTML(p.name) + "<br>" + echarts.format.encodeHTML(value);
        },
      },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        name: first.name,
        type: "pie",
        radius: ["0%", "62%"],
        center: ["50%", spec.title ? "52%" : "46%"],
        label: { formatter: "{b}\n{d}%", overflow: "truncate", width: LABEL_MAX_WIDTH * 1.5 },
        data: spec.categories.map(function (name, i) {
          const item = { name: name, value: first.data[i] };
          if (highlighted.has(i)) item.itemStyle = { color: RED };
          return item;
        }),
      }],
    };
  }

  function axisOption(spec, unit, chartWidth) {
    const highlight = spec.highlight || [];
    const single = spec.series.length === 1;
    const isLine = spec.type === "line";
    const series = spec.series.map(function (s, n) {
      const item = {
        name: s.name,
        type: isLine ? "line" : "bar",
        // One series: the highlighted categories' own bars or points are red.
        data: s.data.map(function (value, i) {
          return single && highlight.includes(i) ? { value: value, itemStyle: { color: RED } } : value;
        }),
      };
      if (isLine) Object.assign(item, { symbol: "circle", symbolSize: 6, showSymbol: true, connectNulls: false });
      if (spec.type === "stacked") item.stack = "total";
      if (!isLine) item.barMaxWidth = 40;
      // Several series: a light red band behind each highlighted category instead.
      if (n === 0 && !single && highlight.length) {
        item.markArea = {
          silent: true,
          itemStyle: { color: RED_BAND },
          data: highlight.map(function (i) {
            return [{ xAxis: i }, { xAxis: i }]; // a number on a category axis is the category's index
          }),
        };
      }
      return item;
    });
    return {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: isLine ? "line" : "shadow" },
        valueFormatter: function (value) {
          return formatValue(value, unit);
        },
      },
      legend: { show: spec.series.length > 1, type: "scroll", bottom: 0 },
      grid: {
        left: 8,
        right: 16,
        top: spec.title ? 44 : 16,
        bottom: spec.series.length > 1 ? 36 : 8,
        // The axis labels are kept inside the rectangle above (the successor of `containLabel` in ECharts 6).
        outerBoundsMode: "same",
        outerBoundsContain: "axisLabel",
      },
      xAxis: {
        type: "category",
        data: categoryData(spec),
        axisLabel: categoryLabels(spec, chartWidth),
        axisTick: { alignWithLabel: true },
      },
      yAxis: {
        type: "value",
        axisLabel: { formatter: "{value}" + unit },
      },
      series: series,
    };
  }

  function optionFor(spec, chartWidth) {
    const unit = spec.unit || "";
    const option = spec.type === "pie" ? pieOption(spec, unit) : axisOption(spec, unit, chartWidth);
    option.textStyle = { fontFamily: FONT };
    option.animation = false; // a report is read, and printing must not catch a chart mid-animation
    option.title = { text: spec.title || "", left: "center", top: 0, textStyle: { fontSize: 14, fontWeight: "bold" } };
    return option;
  }

  function render(el) {
    let spec;
    try {
      spec = JSON.parse(el.dataset.chart);
    } catch (error) {
      console.error("charts.js: invalid data-chart JSON", el, error);
      return;
    }
    if (!spec || !Array.isArray(spec.categories) || !Array.isArray(spec.series)) {
      console.error("charts.js: a chart needs categories and series", el, spec);
      return;
    }
    const locale = document.documentElement.lang === "en" ? "EN" : "ZH";
    const chart = echarts.init(el, null, { renderer: "svg", locale: locale });
    chart.setOption(optionFor(spec, el.clientWidth));
    charts.push({ chart: chart, spec: spec, el: el });
  }

  // Refit every chart to its box (or to `width`), re-deciding the category labels for the new width.
  function resizeAll(width) {
    charts.forEach(function (c) {
      const w = width ? Math.min(c.el.clientWidth, width) : c.el.clientWidth;
      if (c.spec.type !== "pie") c.chart.setOption({ xAxis: { axisLabel: categoryLabels(c.spec, w) } });
      c.chart.resize(width ? { width: w, height: c.el.clientHeight } : undefined);
    });
  }

  document.querySelectorAll(".xqt-chart[data-chart]").forEach(render);

  let pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      resizeAll();
    }, 100);
  });

  // A chart keeps the pixel width it was drawn at, so a screen-wide chart would be cut off on paper. Before
  // printing, each chart is redrawn no wider than the printable width; afterwards it fits the screen again.
  // Browsers differ in which of these events they fire, and in whether the layout is already the printed one.
  const forPrint = function () {
    resizeAll(PRINT_WIDTH);
  };
  const forScreen = function () {
    resizeAll();
  };
  window.addEventListener("beforeprint", forPrint);
  window.addEventListener("afterprint", forScreen);
  if (window.matchMedia) {
    window.matchMedia("print").addEventListener("change", function (event) {
      (event.matches ? forPrint : forScreen)();
    });
  }
})();
