{#- The unit's requantization: one free-running sf_requant_pipe (3 clocks, shift held), the
    unit's scale and bias from `fold_params.v`; rq_acc_w, rq_relu, rq_shift set by the caller. #}
    wire {{ u.p }}_y_v;
    wire [7:0] {{ u.p }}_y;
    wire {{ u.p }}_rq_tag;
    sf_requant_pipe #(
        .ACC_W({{ rq_acc_w }}), .OUT_W(8), .RELU({{ rq_relu }}), .SPLIT(2), .STAGES(3),
        .PARAMS_HELD(2), .TAG_W(1){% if rq_dsp_w > 0 %}, .DSP_W({{ rq_dsp_w }}){% endif %}
    ) u_{{ u.p }}_rq (
        .aclk(aclk), .aresetn(aresetn), .en(1'b1), .in_valid({{ u.p }}_v_q),
        .acc({{ u.p }}_acc_q), .scale({{ u.p }}_scale), .bias({{ u.p }}_bias),
        .shift({{ rq_shift }}), .in_tag(1'b0), .out_valid({{ u.p }}_y_v), .y({{ u.p }}_y),
        .out_tag({{ u.p }}_rq_tag));
    wire unused_{{ u.p }}_rq_tag = &{1'b0, {{ u.p }}_rq_tag, 1'b0};